package io.videoevents.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * Thousands of random and malformed socket frames and REST bodies: random bytes, deep JSON, huge
 * numbers, odd unicode, SQL in ids. Afterwards the service must answer normally, must never have
 * answered with a 5xx, and must hold no subscription once every socket is closed. The seed is printed
 * so a failure can be replayed.
 */
@QuarkusTest
class FuzzTest {

    static final int SOCKETS = 240;
    static final int FRAMES_PER_SOCKET = 25;
    static final int REST_REQUESTS = 4000;

    static final String[] SQLISH = { "'; DROP TABLE videos; --", "\" OR 1=1 --", "$1", "%27%3B", "\\\\x00", "../../etc/passwd",
            "v-1' UNION SELECT * FROM videos --", "NULL", "\u0000" };
    static final String[] UNICODE = { "ü", "\u202e", "💥", "\uD800", "漢字", "\t\n", "\u00a0", "ᐅ" };

    /** The server messages of the contract, and those that answer a client message. */
    static final List<String> MESSAGE_TYPES = List.of("snapshot", "status", "deleted", "error", "subscribed", "unsubscribed");
    static final List<String> ANSWERS = List.of("error", "subscribed", "unsubscribed");
    /**
     * The error codes random input may earn here: authentication is off and the clients stay within the
     * limits, so anything else (an {@code internal} above all) is a fault, like a 5xx over REST.
     */
    static final List<String> ERROR_CODES = List.of("bad_request", "not_found");

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    @Test
    void randomInputNeverBreaksTheService() throws Exception {
        long seed = System.nanoTime();
        System.out.println("fuzz seed: " + seed);
        Random random = new Random(seed);
        String existing = Ids.fresh("fuzz");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(existing);
        }

        int answers = fuzzSockets(random, existing);
        Map<Integer, Integer> statuses = fuzzRest(random, existing);

        System.out.printf("fuzz: %d socket frames answered, %d REST requests, statuses %s%n", answers, REST_REQUESTS,
                statuses);
        // every frame got its answer (fuzzSockets checks each socket) and every request its HTTP response
        assertThat(answers).isEqualTo(SOCKETS * FRAMES_PER_SOCKET);
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(REST_REQUESTS);
        assertThat(statuses.keySet()).allMatch(status -> status < 500);
        await().atMost(TestSocket.WAIT).until(() -> hub.subscriptionCount() == 0);

        // and it still works
        String id = Ids.fresh("after-fuzz");
        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            worker.insertVideo(id);
            socket.subscribe(id);
            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
        }
    }

    /**
     * Sends every socket its random frames, then reads what came back. Bad input gets an error and the socket
     * stays open unless the client keeps misbehaving (contract section 2): these clients stay within the
     * rate and size limits, so every socket must stay open and answer every frame it was sent with exactly
     * one answer ({@code error}, {@code subscribed} or {@code unsubscribed}), every message being of a
     * documented type and every error of a documented code. Returns the number of answers.
     */
    private int fuzzSockets(Random random, String existing) {
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int s = 0; s < SOCKETS; s++) {
                boolean oneVideo = s % 8 == 0;
                TestSocket socket = TestSocket.open(base, oneVideo ? "/videos/" + existing + "/events" : "/events");
                sockets.add(socket);
                for (int f = 0; f < FRAMES_PER_SOCKET; f++) {
                    // binary frames are bad input on both endpoints: each gets an error
                    if (random.nextInt(40) == 0) {
                        socket.sendBinary(randomBytes(random, 1 + random.nextInt(2000)));
                    } else {
                        socket.send(randomFrame(random, existing));
                    }
                }
            }
            int answers = 0;
            for (TestSocket socket : sockets) {
                int answered = 0;
                while (answered < FRAMES_PER_SOCKET) {
                    JsonObject message = socket.nextUntilClosed().orElseThrow(() -> new AssertionError(
                            "a socket within the limits was closed with " + socket.awaitClose()));
                    assertThat(message.getString("type")).as("%s", message).isIn(MESSAGE_TYPES);
                    if (message.getString("type").equals("error")) {
                        assertThat(message.getString("code")).as("%s", message).isIn(ERROR_CODES);
                    }
                    if (ANSWERS.contains(message.getString("type"))) {
                        answered++;
                    }
                }
                answers += answered;
            }
            // and nothing beyond one answer per frame
            for (TestSocket socket : sockets) {
                assertThat(socket.isClosed()).isFalse();
                for (int i = socket.pending(); i > 0; i--) {
                    assertThat(socket.next().getString("type")).isNotIn(ANSWERS);
                }
            }
            return answers;
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }

    private Map<Integer, Integer> fuzzRest(Random random, String existing) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(16);
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < REST_REQUESTS; i++) {
            HttpRequest request = randomRequest(random, existing);
            inFlight.acquire();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> {
                        inFlight.release();
                        if (failure != null) {
                            failures.incrementAndGet();
                        } else {
                            statuses.merge(response.statusCode(), 1, Integer::sum);
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        assertThat(failures.get()).as("requests that got no HTTP answer").isZero();
        return statuses;
    }

    private HttpRequest randomRequest(Random random, String existing) {
        String id = random.nextBoolean() ? existing : randomId(random);
        String encodedId = java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        HttpRequest.Builder builder;
        switch (random.nextInt(6)) {
            case 0 -> builder = HttpRequest.newBuilder(uri("/videos")).POST(body(random, existing));
            case 1 -> builder = HttpRequest.newBuilder(uri("/videos/" + encodedId + "/status")).PUT(body(random, existing));
            case 2 -> builder = HttpRequest.newBuilder(uri("/videos/" + encodedId)).GET();
            case 3 -> builder = HttpRequest.newBuilder(uri("/videos?limit=" + enc(randomNumber(random)) + "&cursor="
                    + enc(randomText(random, 20)) + "&status=" + enc(randomText(random, 10)))).GET();
            case 4 -> builder = HttpRequest.newBuilder(uri("/videos/" + encodedId + "/history?after=" + enc(randomNumber(random))
                    + "&limit=" + enc(randomNumber(random)))).GET();
            default -> builder = HttpRequest.newBuilder(uri("/videos")).method(random.nextBoolean() ? "PATCH" : "DELETE",
                    body(random, existing));
        }
        String[] types = { "application/json", "text/plain", "application/xml", "application/json; charset=latin1", "" };
        String type = types[random.nextInt(types.length)];
        if (!type.isEmpty()) {
            builder.header("Content-Type", type);
        }
        return builder.timeout(Duration.ofSeconds(30)).build();
    }

    private HttpRequest.BodyPublisher body(Random random, String existing) {
        return random.nextInt(5) == 0 ? HttpRequest.BodyPublishers.ofByteArray(randomBytes(random, random.nextInt(3000)))
                : HttpRequest.BodyPublishers.ofString(randomFrame(random, existing));
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A JSON-ish text: sometimes well-formed and plausible, mostly not. */
    static String randomFrame(Random random, String existing) {
        return switch (random.nextInt(12)) {
            case 0 -> randomText(random, random.nextInt(500));
            case 1 -> "[".repeat(2000 + random.nextInt(5000)) + "]".repeat(random.nextInt(100));
            case 2 -> "{\"a\":".repeat(1500) + "1" + "}".repeat(1500);
            case 3 -> new JsonObject().put("type", "subscribe").put("videoId", randomId(random))
                    .put("after", random.nextBoolean() ? (Object) randomNumber(random) : random.nextLong()).encode();
            case 4 -> "{\"type\":\"subscribe\",\"videoId\":\"" + existing + "\",\"after\":" + "9".repeat(1 + random.nextInt(400)) + "}";
            case 5 -> new JsonObject().put("type", random.nextBoolean() ? "unsubscribe" : randomText(random, 8))
                    .put("videoId", random.nextBoolean() ? existing : randomId(random)).encode();
            case 6 -> new JsonObject().put("rawFilePath", randomText(random, random.nextInt(6000))).put("id", randomId(random)).encode();
            case 7 -> new JsonObject().put("status", random.nextBoolean() ? randomText(random, 12) : "processing").encode();
            case 8 -> "{\"type\":\"subscribe\",\"videoId\":" + randomNumber(random) + ",\"after\":{\"x\":[1,2,{}]}}";
            case 9 -> "1e" + random.nextInt(100000);
            case 10 -> "\"" + UNICODE[random.nextInt(UNICODE.length)].repeat(random.nextInt(300)) + "\"";
            default -> "{\"type\":\"subscribe\",\"videoId\":\"" + existing + "\"}";
        };
    }

    static String randomId(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> SQLISH[random.nextInt(SQLISH.length)];
            case 1 -> "a".repeat(195 + random.nextInt(10));
            case 2 -> UNICODE[random.nextInt(UNICODE.length)] + random.nextInt(1000);
            case 3 -> "";
            default -> "v-" + random.nextInt(1_000_000);
        };
    }

    static String randomNumber(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> String.valueOf(random.nextLong());
            case 1 -> "9".repeat(1 + random.nextInt(60));
            case 2 -> String.valueOf(random.nextDouble() * 1e6);
            case 3 -> "-" + random.nextInt(100);
            case 4 -> "NaN";
            default -> String.valueOf(random.nextInt(600));
        };
    }

    static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(10);
            if (pick < 6) {
                text.append((char) (32 + random.nextInt(95)));
            } else if (pick < 8) {
                text.append(UNICODE[random.nextInt(UNICODE.length)]);
            } else {
                text.append(SQLISH[random.nextInt(SQLISH.length)]);
            }
        }
        return text.toString();
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
