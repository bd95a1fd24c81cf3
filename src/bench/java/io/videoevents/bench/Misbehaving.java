package io.videoevents.bench;

import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import io.vertx.core.*;
import io.vertx.core.net.*;

/** The soak's misbehaving sockets, on a Vert.x instance of their own (its event loops' CPU is counted apart). */
final class Misbehaving {

    /** How a connection ends. */
    enum Ending {
        OVERSIZE, FLOOD, STOP_READING, SILENT, RESET_AFTER_UPGRADE, RESET_MID_REPLAY, RESET_AT_RANDOM, DROP_MID_REPLAY, CLOSE_NORMAL,
        CLOSE_AMID_SUBSCRIBES, BAD_PATH, UNKNOWN_VIDEO;

        /** The close code the service is to answer with (STOP_READING: 4408, or 1001 once the pongs stop coming). */
        boolean expects(int code) {
            return switch (this) {
                case OVERSIZE -> code == 1009;
                case FLOOD, BAD_PATH -> code == 1008;
                case STOP_READING -> code == 4408 || code == 1001;
                case SILENT -> code == 1001;
                case CLOSE_NORMAL, CLOSE_AMID_SUBSCRIBES -> code == 1000;
                case UNKNOWN_VIDEO -> code == 4404;
                default -> false;
            };
        }

        /** Whether the service is to close the connection (else the client ends it). */
        boolean serverCloses() {
            return !name().startsWith("RESET") && !name().startsWith("DROP");
        }
    }

    /** What a connection does before its ending. */
    enum Act {
        BAD_INPUT, BINARY, UNSUBSCRIBE_UNKNOWN, STORM, AUTH, REPLAY_LONG, SUBSCRIBE_SOME, IN_FLIGHT, MANY_SUBSCRIPTIONS,
        UNKNOWN_VIDEO, ONE_VIDEO_TEXT
    }

    private static final Ending[] EVENTS_ENDINGS = { Ending.OVERSIZE, Ending.FLOOD, Ending.STOP_READING, Ending.SILENT,
            Ending.RESET_AFTER_UPGRADE, Ending.RESET_MID_REPLAY, Ending.RESET_AT_RANDOM, Ending.DROP_MID_REPLAY, Ending.CLOSE_NORMAL,
            Ending.CLOSE_AMID_SUBSCRIBES };
    private static final Ending[] ONE_VIDEO_ENDINGS = { Ending.OVERSIZE, Ending.STOP_READING, Ending.SILENT,
            Ending.RESET_AFTER_UPGRADE, Ending.RESET_MID_REPLAY, Ending.DROP_MID_REPLAY, Ending.CLOSE_NORMAL, Ending.BAD_PATH,
            Ending.UNKNOWN_VIDEO };
    private static final Act[] EVENTS_ACTS = { Act.BAD_INPUT, Act.BINARY, Act.UNSUBSCRIBE_UNKNOWN, Act.STORM, Act.AUTH,
            Act.REPLAY_LONG, Act.SUBSCRIBE_SOME, Act.IN_FLIGHT, Act.UNKNOWN_VIDEO };

    /** Messages that each get {@code bad_request} on {@code /events}. */
    private static final String[] BAD_MESSAGES = { "{\"type\":", "[1,2,3]", "\"subscribe\"", "42", "", "   ",
            "{\"type\":\"hello\",\"videoId\":\"x\"}", "{\"videoId\":\"x\"}", "{\"type\":7}",
            "{\"type\":\"subscribe\",\"videoId\":\"bad id!\"}", "{\"type\":\"subscribe\",\"videoId\":\"" + "x".repeat(201) + "\"}",
            "{\"type\":\"subscribe\"}", "{\"type\":\"subscribe\",\"videoId\":42}", "{\"type\":\"unsubscribe\",\"videoId\":\"\"}",
            "{\"type\":\"subscribe\",\"videoId\":\"v\",\"after\":-1}", "{\"type\":\"subscribe\",\"videoId\":\"v\",\"after\":\"3\"}",
            "{\"type\":\"subscribe\",\"videoId\":\"v\",\"after\":1.5}", "{\"type\":\"subscribe\",\"videoId\":\"v\"} trailing",
            "{\"type\":\"auth\"}", "{\"type\":\"auth\",\"token\":\"\"}", "null", "{\"type\":\"subscribe\",\"videoId\":null}" };
    private final String host;
    private final int port;
    private final int videos;
    private final int longVideos;
    private final String prefix;
    private final double pongTimeout;
    private final double pingInterval;
    private final Vertx vertx;
    // per source address: plain, resetting (SO_LINGER 0), and slow-reading (tiny receive buffer) clients
    private final List<NetClient[]> clients = new ArrayList<>();
    private final Map<String, LongAdder> tally = new ConcurrentHashMap<>();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Long> threads = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    Misbehaving(Options options, java.net.URI service) {
        this.host = service.getHost();
        this.port = service.getPort();
        this.videos = options.videos();
        this.longVideos = options.soak().longVideos();
        this.prefix = options.videoPrefix();
        this.pongTimeout = Options.SoakOptions.seconds(options.soak().pongTimeout());
        this.pingInterval = Options.SoakOptions.seconds(options.soak().pingInterval());
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()));
        for (int a = 1; a <= options.sourceAddresses(); a++) {
            String local = "127.0.0." + a;
            clients.add(new NetClient[] {
                    vertx.createNetClient(new NetClientOptions().setLocalAddress(local).setConnectTimeout(30_000)),
                    vertx.createNetClient(new NetClientOptions().setLocalAddress(local).setConnectTimeout(30_000).setSoLinger(0)),
                    vertx.createNetClient(new NetClientOptions().setLocalAddress(local).setConnectTimeout(30_000)
                            .setReceiveBufferSize(4096)) });
        }
        for (int i = 0; i < options.soak().misbehaving(); i++) {
            slots.add(new Slot(i));
        }
    }

    void start() {
        for (Slot slot : slots) {
            // spread the first connects over two seconds
            Context context = vertx.getOrCreateContext();
            slot.context = context;
            context.runOnContext(ignored -> {
                threads.add(Thread.currentThread().getId());
                vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(2000), t -> slot.connect());
            });
        }
    }

    /** CPU seconds of the event loops so far. */
    double cpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.stream().mapToLong(mx::getThreadCpuTime).filter(t -> t > 0).sum() / 1e9;
    }

    /** Stops reconnecting, ends every connection (a close frame, then a drop; at most {@code seconds}), returns the tally. */
    Map<String, Long> stop(int seconds) {
        stopping = true;
        for (Slot slot : slots) {
            slot.context.runOnContext(ignored -> slot.stop());
        }
        if (!LoadTool.await(() -> open.get() == 0, seconds)) {
            count("(sockets still open when the stop stopped waiting for them)", open.get());
        }
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        Map<String, Long> out = new TreeMap<>();
        tally.forEach((key, count) -> out.put(key, count.sum()));
        return out;
    }

    private void count(String key) {
        count(key, 1);
    }

    private void count(String key, long n) {
        tally.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    private String video(int index) {
        return prefix + String.format("%06d", index);
    }

    private static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    /** One misbehaving client, connecting again and again; everything of it runs on its own context. */
    private final class Slot {
        final int index;
        Context context;
        Conn conn;
        int round;

        Slot(int index) {
            this.index = index;
        }

        void connect() {
            if (stopping) {
                return;
            }
            round++;
            boolean oneVideo = (index + round) % 4 == 0;
            Ending[] endings = oneVideo ? ONE_VIDEO_ENDINGS : EVENTS_ENDINGS;
            Ending ending = endings[(index / 4 + round) % endings.length];
            conn = new Conn(this, oneVideo, ending);
            conn.open();
        }

        void ended() {
            conn = null;
            if (!stopping) {
                vertx.setTimer(200 + random(1300), t -> connect());
            }
        }

        void stop() {
            if (conn != null) {
                conn.stop();
            }
        }
    }

    /** One connection of a slot. */
    private final class Conn implements RawSocket.Listener {
        final Slot slot;
        final boolean oneVideo;
        final Ending ending;
        final List<Act> acts = new ArrayList<>();
        RawSocket socket;
        String label;
        boolean ended;
        boolean counted;
        int closeCode = -2;
        long watchdog = -1;
        int statusFrames;
        int resetAfterFrames = -1;
        int nextVideo = random(videos);

        Conn(Slot slot, boolean oneVideo, Ending ending) {
            this.slot = slot;
            this.oneVideo = oneVideo;
            this.ending = ending;
            this.label = ending.name();
            if (ending != Ending.RESET_AFTER_UPGRADE && ending != Ending.BAD_PATH && ending != Ending.UNKNOWN_VIDEO) {
                int n = random(4);
                for (int i = 0; i < n; i++) {
                    acts.add(oneVideo ? (random(2) == 0 ? Act.ONE_VIDEO_TEXT : Act.BINARY) : EVENTS_ACTS[random(EVENTS_ACTS.length)]);
                }
                // a few connections go for the subscription limit; each then gets every change of 1,000 videos
                if (!oneVideo && random(100) < 2 && ending != Ending.STOP_READING) {
                    acts.add(Act.MANY_SUBSCRIPTIONS);
                }
            }
        }

        String path() {
            if (!oneVideo) {
                return "/events";
            }
            return switch (ending) {
                case BAD_PATH -> random(2) == 0 ? "/videos/bad%20id!/events" : "/videos/" + video(random(videos)) + "/events?after=x";
                case UNKNOWN_VIDEO -> "/videos/" + prefix + "nope-" + random(1_000_000) + "/events";
                case RESET_MID_REPLAY, DROP_MID_REPLAY, STOP_READING -> "/videos/" + video(random(Math.max(1, longVideos))) + "/events?after=0";
                default -> "/videos/" + video(random(videos)) + "/events";
            };
        }

        void open() {
            NetClient[] forAddress = clients.get(slot.index % clients.size());
            boolean resets = ending.name().startsWith("RESET");
            NetClient client = resets ? forAddress[1] : ending == Ending.STOP_READING ? forAddress[2] : forAddress[0];
            count("connects");
            open.incrementAndGet();
            RawSocket.connect(client, host, port, path(), this);
        }

        @Override
        public void refused(String statusLine) {
            counted = true;
            count(ending + tag() + " | upgrade refused: " + (statusLine == null ? "connect failed" : statusLine));
            finish();
        }

        @Override
        public void opened(RawSocket s) {
            this.socket = s;
            count("upgraded");
            if (stopping) {
                counted = true;
                s.close(1000);
                vertx.setTimer(5000, t -> s.drop());
                return;
            }
            if (ending == Ending.SILENT) {
                s.answerPings(false);
            }
            if (ending == Ending.RESET_AFTER_UPGRADE) {
                outcome("reset right after the upgrade");
                s.drop();
                return;
            }
            if (ending == Ending.RESET_AT_RANDOM) {
                later(random(5000), () -> {
                    outcome("reset at a random moment (during " + label + ")");
                    socket.drop();
                });
            }
            if (ending == Ending.BAD_PATH || ending == Ending.UNKNOWN_VIDEO) {
                guard(20);
                return;
            }
            runActs(0);
        }

        /** Runs act {@code i}, then the next, then the ending. */
        void runActs(int i) {
            if (ended) {
                return;
            }
            if (i >= acts.size()) {
                label = ending.name();
                end();
                return;
            }
            Act act = acts.get(i);
            label = act.name();
            count(act + tag() + " | runs");
            act(act, () -> runActs(i + 1));
        }

        void act(Act act, Runnable then) {
            switch (act) {
                case BAD_INPUT -> spaced(act, 3 + random(6), 150, k -> BAD_MESSAGES[random(BAD_MESSAGES.length)], 500, then);
                case ONE_VIDEO_TEXT -> {
                    later(0, () -> sendCounted(act, "{\"type\":\"subscribe\",\"videoId\":\"" + video(random(videos)) + "\"}"));
                    later(200, () -> sendCounted(act, "{\"type\":\"unsubscribe\",\"videoId\":\"x\"}"));
                    later(400, () -> send("{\"type\":\"auth\",\"token\":\"aaa.bbb.ccc\"}"));
                    later(1000, then);
                }
                case BINARY -> {
                    for (int k = 0; k < 3; k++) {
                        later(k * 200L, () -> {
                            if (socket != null) {
                                count(act + " | sent");
                                socket.binary(new byte[1 + random(2000)]);
                            }
                        });
                    }
                    later(1200, then);
                }
                case UNSUBSCRIBE_UNKNOWN -> spaced(act, 4, 100, k -> unsubscribe(prefix + "never-" + random(1000)), 600, then);
                case STORM -> {
                    // subscribe and unsubscribe the same few videos as fast as the rate allows: 40 a second for 1-3 s
                    int base = random(videos);
                    spaced(act, 40 * (1 + random(3)), 25, k -> k % 2 == 0 ? subscribe(video((base + (k / 2) % 5) % videos), -1)
                            : unsubscribe(video((base + (k / 2) % 5) % videos)), 1000, then);
                }
                case AUTH -> {
                    // authentication is off: an auth message is accepted and answered with nothing
                    subscribeSome(3);
                    later(300, () -> sendCounted(act, "{\"type\":\"auth\",\"token\":\"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\"}"));
                    later(600, () -> sendCounted(act, "{\"type\":\"auth\",\"token\":\"not-a-token\"}"));
                    later(1500, then);
                }
                case REPLAY_LONG -> {
                    // replays from the start of long histories; read a while, then leave half of them mid-way
                    int n = 1 + random(2);
                    List<String> ids = new ArrayList<>();
                    for (int k = 0; k < n; k++) {
                        String id = video(random(Math.max(1, longVideos)));
                        ids.add(id);
                        send(subscribe(id, 0));
                    }
                    later(300 + random(2000), () -> {
                        if (random(2) == 0) {
                            ids.forEach(id -> sendCounted(act, unsubscribe(id)));
                        }
                        then.run();
                    });
                }
                case SUBSCRIBE_SOME -> {
                    subscribeSome(5 + random(20));
                    // subscribing again to a video already watched changes nothing but is answered
                    later(500, () -> send(subscribe(video(nextVideo % videos), -1)));
                    later(1000 + random(3000), then);
                }
                case IN_FLIGHT -> {
                    // three bursts of 45 subscribes, a little more than a second apart: past 100 in flight if reads are slow
                    for (int b = 0; b < 3; b++) {
                        later(b * 1100L, () -> subscribeSome(45));
                    }
                    later(3500, then);
                }
                case MANY_SUBSCRIPTIONS -> {
                    // 45 a second up to past the limit of 1,000 per socket
                    int base = random(videos);
                    spaced(act, Math.min(videos, 1100), 1000.0 / 45, k -> subscribe(video((base + k) % videos), -1), 2000, then);
                }
                case UNKNOWN_VIDEO -> {
                    sendCounted(act, subscribe(prefix + "nope-" + random(1_000_000), -1));
                    later(500, then);
                }
            }
        }

        /** {@code n} messages {@code gap} ms apart, each counted; {@code then} {@code tail} ms after the last is due. */
        void spaced(Act act, int n, double gap, java.util.function.IntFunction<String> message, long tail, Runnable then) {
            for (int k = 0; k < n; k++) {
                String text = message.apply(k);
                later((long) (k * gap), () -> sendCounted(act, text));
            }
            later((long) (n * gap) + tail, then);
        }

        void subscribeSome(int n) {
            for (int k = 0; k < n; k++) {
                send(subscribe(video(nextVideo++ % videos), -1));
            }
        }

        /** The connection's last act. */
        void end() {
            switch (ending) {
                case OVERSIZE -> {
                    byte[] big = new byte[64 * 1024 + 1 + random(8 * 1024)];
                    java.util.Arrays.fill(big, (byte) 'x');
                    if (random(2) == 0) {
                        socket.text("{\"type\":\"subscribe\",\"videoId\":\"" + new String(big, StandardCharsets.US_ASCII) + "\"}");
                    } else {
                        socket.binary(big);
                    }
                    guard(30);
                }
                case FLOOD -> {
                    for (int k = 0; k < 150; k++) {
                        socket.text(k % 3 == 0 ? "{\"type\":\"nonsense\"}" : subscribe(video(random(videos)), -1));
                    }
                    guard(30);
                }
                case STOP_READING -> {
                    if (!oneVideo) {
                        // many videos' changes and a long replay, then the client reads no more
                        for (int k = 0; k < 300; k++) {
                            String id = video((nextVideo + k) % videos);
                            later(k * 1000L / 45, () -> send(subscribe(id, -1)));
                        }
                        later(300 * 1000L / 45, () -> send(subscribe(video(random(Math.max(1, longVideos))), 0)));
                    }
                    long pausedAfter = oneVideo ? 500 : 300 * 1000L / 45 + 500;
                    long pause = (long) ((pongTimeout + 2 * pingInterval + 5) * 1000);
                    later(pausedAfter, () -> {
                        label = ending.name() + " (paused)";
                        socket.pause();
                    });
                    later(pausedAfter + pause, () -> {
                        label = ending.name() + " (reading again)";
                        socket.resume();
                        guard(60);
                    });
                }
                case SILENT -> guard((long) (pongTimeout + pingInterval + 30));
                case RESET_MID_REPLAY, DROP_MID_REPLAY -> {
                    if (!oneVideo) {
                        for (int k = 0; k < 1 + random(3); k++) {
                            send(subscribe(video(random(Math.max(1, longVideos))), 0));
                        }
                    }
                    resetAfterFrames = 1 + random(3000);
                    later(500 + random(3000), this::dropNow);
                }
                case RESET_AT_RANDOM -> later(5000, this::dropNow);
                case CLOSE_NORMAL -> {
                    socket.close(1000);
                    guard(30);
                }
                case CLOSE_AMID_SUBSCRIBES -> {
                    for (int k = 0; k < 30; k++) {
                        send(subscribe(video(k % 3 == 0 ? random(Math.max(1, longVideos)) : random(videos)), k % 3 == 0 ? 0 : -1));
                    }
                    socket.close(1000);
                    guard(30);
                }
                default -> guard(30);
            }
        }

        void dropNow() {
            if (!ended && socket != null && !counted) {
                outcome(ending == Ending.DROP_MID_REPLAY ? "dropped (FIN) mid-replay after " + bucket(statusFrames) + " frames"
                        : ending == Ending.RESET_AT_RANDOM ? "reset at a random moment (during " + label + ")"
                                : "reset mid-replay after " + bucket(statusFrames) + " frames");
                socket.drop();
            }
        }

        /** Closes the connection ourselves if the service has not within {@code seconds}: a missing close. */
        void guard(long seconds) {
            watchdog = vertx.setTimer(TimeUnit.SECONDS.toMillis(seconds), t -> {
                if (!ended && !counted) {
                    outcome("NOT CLOSED by the service within " + seconds + " s");
                    socket.drop();
                }
            });
        }

        @Override
        public void status() {
            statusFrames++;
            if (statusFrames == resetAfterFrames) {
                dropNow();
            }
        }

        @Override
        public void text(String text) {
            String type = Json.string(text, "type");
            if ("error".equals(type)) {
                String code = Json.string(text, "code");
                boolean named = Json.string(text, "videoId") != null;
                count(label + tag() + " | error " + code
                        + (code != null && code.equals("rate_limited") ? named ? " (naming a video: subscribes in flight)" : " (message rate)" : ""));
                return;
            }
            if (type != null && !type.equals("snapshot")) {
                count(label + tag() + " | " + type);
            }
        }

        @Override
        public void closeFrame(int code, String reason) {
            if (closeCode == -2) {
                closeCode = code;
                if (!counted) {
                    boolean expected = label.startsWith(ending.name()) && ending.expects(code);
                    outcome("closed " + code + (expected ? "" : " (" + reason + ")"));
                }
                // answer it, as a client does, and let the service drop the connection
                socket.close(code == 1005 || code < 0 ? 1000 : code == 1006 ? 1000 : code);
                if (watchdog >= 0) {
                    vertx.cancelTimer(watchdog);
                }
                watchdog = vertx.setTimer(10_000, t -> socket.drop());
            }
        }

        @Override
        public void ended() {
            if (watchdog >= 0) {
                vertx.cancelTimer(watchdog);
            }
            if (!counted) {
                outcome(ending == Ending.STOP_READING ? "closed by the service, its close frame lost behind what the client had not read"
                        : ending.serverCloses() ? "connection dropped by the service without a close frame" : "ended");
            }
            count("status frames received", statusFrames);
            finish();
        }

        void finish() {
            if (!ended) {
                ended = true;
                open.decrementAndGet();
                slot.ended();
            }
        }

        void outcome(String what) {
            counted = true;
            count(ending + tag() + " | " + (label.startsWith(ending.name()) ? "" : "during " + label + ": ")
                    + what);
        }

        /** The tool's own stop: a close frame, then the connection dropped a little later. */
        void stop() {
            if (ended || socket == null) {
                return;
            }
            counted = true;
            socket.resume();
            socket.close(1000);
            vertx.setTimer(5000, t -> socket.drop());
        }

        void later(long millis, Runnable task) {
            Runnable guarded = () -> {
                if (!ended && !stopping) {
                    task.run();
                }
            };
            if (millis <= 0) {
                guarded.run();
            } else {
                vertx.setTimer(millis, t -> guarded.run());
            }
        }

        void send(String text) {
            if (socket != null && !ended) {
                socket.text(text);
            }
        }

        void sendCounted(Act act, String text) {
            if (socket != null && !ended) {
                count(act + tag() + " | sent");
                socket.text(text);
            }
        }

        String tag() {
            return oneVideo ? " (one-video)" : "";
        }
    }

    private static String subscribe(String id, long after) {
        return "{\"type\":\"subscribe\",\"videoId\":\"" + id + "\"" + (after >= 0 ? ",\"after\":" + after : "") + "}";
    }

    private static String unsubscribe(String id) {
        return "{\"type\":\"unsubscribe\",\"videoId\":\"" + id + "\"}";
    }

    private static String bucket(int frames) {
        return frames == 0 ? "0" : frames < 100 ? "1-99" : frames < 1000 ? "100-999" : "1,000+";
    }
}
