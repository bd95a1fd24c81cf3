package io.videoevents.support;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * A relay's job done by the test itself, so that the test decides when it falls silent: a LISTEN connection of
 * its own (plain JDBC) whose payloads go unchanged to the service's NATS subject, and a heartbeat every 100 ms,
 * both only while {@link #resume() resumed}. Its heartbeats are signed as a relay signs them: HMAC-SHA256 with the
 * trigger's key, read from the database, over the fields one per line, the first 128 bits in hex. Whatever is committed while it is silent or while NATS is away is
 * dropped here, never buffered: only the service's repair from the log can bring it to a client. The packaged
 * relay itself is tested in {@code RelayTierIT}.
 */
public final class TestRelay implements AutoCloseable {

    public static final String SUBJECT = "video-events.notifications";
    public static final String HEARTBEATS = "video-events.relays";

    private final Connection listen;
    private final io.nats.client.Connection nats;
    private final Thread thread;
    private volatile boolean active = true;
    private volatile boolean closed;
    private volatile Throwable failure;
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    private volatile String lastRelayed;
    private volatile String lastHeartbeat;
    private final javax.crypto.Mac mac;
    private long lastAt;

    public TestRelay(WorkerSql database, String natsUrl) {
        try {
            listen = database.connection();
            try (Statement statement = listen.createStatement()) {
                statement.execute("LISTEN video_status_events");
                try (java.sql.ResultSet key = statement.executeQuery("SELECT key FROM video_events_signing_key")) {
                    key.next();
                    mac = javax.crypto.Mac.getInstance("HmacSHA256");
                    mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(1), "HmacSHA256"));
                }
            }
            nats = Nats.connect(new Options.Builder().server(natsUrl).maxReconnects(-1)
                    .reconnectWait(Duration.ofMillis(50)).connectionName("test-relay")
                    .errorListener(new io.nats.client.ErrorListener() {
                        // refused reconnects while the test keeps NATS down are expected
                    }).build());
        } catch (SQLException | java.io.IOException | java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        thread = new Thread(this::run, "test-relay");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long nextBeat = 0;
        try {
            PGConnection pg = listen.unwrap(PGConnection.class);
            while (!closed) {
                PGNotification[] batch = pg.getNotifications(20);
                boolean up = nats.getStatus() == io.nats.client.Connection.Status.CONNECTED;
                if (batch != null) {
                    for (PGNotification notification : batch) {
                        if (active && up) {
                            nats.publish(SUBJECT, notification.getParameter().getBytes(StandardCharsets.UTF_8));
                            lastRelayed = notification.getParameter();
                        } else {
                            dropped.incrementAndGet();
                        }
                    }
                }
                if (System.nanoTime() >= nextBeat) {
                    if (active && up) {
                        String heartbeat = signedHeartbeat("test-relay", 1, true);
                        nats.publish(HEARTBEATS, heartbeat.getBytes(StandardCharsets.UTF_8));
                        lastHeartbeat = heartbeat;
                    }
                    nextBeat = System.nanoTime() + 100_000_000L;
                }
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** A heartbeat of {@code relay} stamped now (later than the last), with a relay's signature. */
    public synchronized String signedHeartbeat(String relay, long generation, boolean listening) {
        long at = Math.max(System.currentTimeMillis(), lastAt + 1);
        lastAt = at;
        return signedHeartbeatAt(relay, generation, listening, at);
    }

    /** A heartbeat stamped {@code at} (epoch ms), with a relay's signature. */
    public String signedHeartbeatAt(String relay, long generation, boolean listening, long at) {
        return heartbeat(relay, generation, listening, at,
                sign("#heartbeat\nrelay:" + relay + "\n" + generation + "\n" + listening + "\n" + at));
    }

    /** A heartbeat with these fields and this signature (null: none), as anybody could write one. */
    public static String heartbeat(String relay, long generation, boolean listening, long at, String sig) {
        return "{\"relay\":\"" + relay + "\",\"generation\":" + generation + ",\"listening\":" + listening + ",\"at\":" + at
                + (sig == null ? "" : ",\"sig\":\"" + sig + "\"") + "}";
    }

    private synchronized String sign(String content) {
        byte[] full = mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(full, 0, 16);
    }

    /** The latest heartbeat this relay published. */
    public String lastHeartbeat() {
        return lastHeartbeat;
    }

    /** The payload of the latest notification passed on, as the trigger wrote it. */
    public String lastRelayed() {
        return lastRelayed;
    }

    /** Notifications received while silent or while NATS was away, and dropped. */
    public long dropped() {
        return dropped.get();
    }

    /** Falls silent: no heartbeat, and notifications are dropped. */
    public void silence() {
        active = false;
    }

    public void resume() {
        active = true;
    }

    /** Publishes anything on any subject, as somebody else with access to NATS could. */
    public void publish(String subject, String payload) {
        nats.publish(subject, payload.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5_000);
            nats.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new AssertionError("the test relay failed", failure);
        }
    }
}
