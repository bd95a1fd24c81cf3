package io.videoevents.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.videoevents.support.AuthProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/** Contract section 5 with authentication on: every refusal, and the happy paths. */
@QuarkusTest
@TestProfile(AuthProfile.class)
class SecurityTest {

    static final String WRITER = TestTokens.withGroups("worker-1", "video-writer");
    static final String ADMIN = TestTokens.withGroups("ops", "video-admin");

    @TestHTTPResource("/")
    URI base;

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    /** Every way a token can be wrong; each must be refused exactly like no token at all. */
    static Stream<Arguments> badTokens() {
        Instant now = Instant.now();
        return Stream.of(
                Arguments.of("malformed", "not.a.jwt"),
                Arguments.of("garbage", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"),
                Arguments.of("bad signature", TestTokens.signedByAttacker("alice", "video-writer", "video-admin")),
                Arguments.of("wrong issuer", TestTokens.token("alice", List.of("video-writer"), now.plusSeconds(3600), null,
                        "https://someone-else.test")),
                // issued by the trusted provider, signed with the trusted key, but for another service
                Arguments.of("wrong audience", TestTokens.forAudiences("alice", List.of("video-writer", "video-admin"),
                        "another-service")),
                Arguments.of("no audience", TestTokens.forAudiences("alice", List.of("video-writer", "video-admin"))),
                Arguments.of("expired", TestTokens.token("alice", List.of("video-writer"), now.minusSeconds(600), null,
                        TestTokens.ISSUER)),
                Arguments.of("not yet valid", TestTokens.token("alice", List.of("video-writer"), now.plusSeconds(7200),
                        now.plusSeconds(3600), TestTokens.ISSUER)),
                Arguments.of("alg none", TestTokens.unsigned("alice", "video-writer", "video-admin")),
                Arguments.of("HMAC with the public key", TestTokens.hmacWithPublicKey("alice", "video-writer", "video-admin")));
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** Creates a video owned by {@code owner} through REST, as a writer. */
    private static String videoOwnedBy(String owner) {
        String id = Ids.fresh("sec");
        as(WRITER).contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/x", "ownerId", owner))
                .post("/videos").then().statusCode(201).body("ownerId", equalTo(owner));
        return id;
    }

    // --- REST --------------------------------------------------------------------------------------

    @Test
    void restWithoutATokenIs401Problem() {
        given().contentType(ContentType.JSON).body(Map.of("rawFilePath", "/x")).post("/videos")
                .then().statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", "Bearer");
        given().get("/videos/{id}", "anything").then().statusCode(401).contentType("application/problem+json");
        given().get("/videos").then().statusCode(401).contentType("application/problem+json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void restWithABadTokenIs401AndNeverEchoesIt(String attack, String token) {
        String body = as(token).contentType(ContentType.JSON).body(Map.of("rawFilePath", "/x")).post("/videos")
                .then().statusCode(401).contentType("application/problem+json").extract().asString();
        assertThat(body).doesNotContain(token);
        as(token).get("/videos").then().statusCode(401);
    }

    @Test
    void aTokenForSeveralAudiencesIsAcceptedWhenOneIsThisService() {
        String token = TestTokens.forAudiences("worker-1", List.of("video-writer"), "another-service", TestTokens.AUDIENCE);
        as(token).contentType(ContentType.JSON).body(Map.of("rawFilePath", "/x", "ownerId", "alice")).post("/videos")
                .then().statusCode(201);
    }

    @Test
    void writingNeedsTheWriterGroup() {
        String id = videoOwnedBy("alice");
        as(TestTokens.user("alice")).contentType(ContentType.JSON).body(Map.of("rawFilePath", "/x")).post("/videos")
                .then().statusCode(403).contentType("application/problem+json");
        as(TestTokens.user("alice")).contentType(ContentType.JSON).body(Map.of("status", "processing"))
                .put("/videos/{id}/status", id).then().statusCode(403);
        as(WRITER).contentType(ContentType.JSON).body(Map.of("status", "processing"))
                .put("/videos/{id}/status", id).then().statusCode(200).body("version", equalTo(2));
    }

    @Test
    void readingFollowsTheWatchRule() {
        String alices = videoOwnedBy("alice");
        as(TestTokens.user("alice")).get("/videos/{id}", alices).then().statusCode(200);
        as(TestTokens.user("alice")).get("/videos/{id}/history", alices).then().statusCode(200);
        as(TestTokens.user("bob")).get("/videos/{id}", alices).then().statusCode(403).contentType("application/problem+json");
        as(TestTokens.user("bob")).get("/videos/{id}/history", alices).then().statusCode(403);
        // a worker token is no owner either
        as(WRITER).get("/videos/{id}", alices).then().statusCode(403);
        as(ADMIN).get("/videos/{id}", alices).then().statusCode(200);
    }

    @Test
    void aMissingVideoLooksForbiddenToNonAdminsAndMissingToAdmins() {
        String missing = Ids.fresh("missing");
        String bobsDenied = as(TestTokens.user("bob")).get("/videos/{id}", videoOwnedBy("alice")).then().statusCode(403)
                .extract().path("detail");
        String bobsMissing = as(TestTokens.user("bob")).get("/videos/{id}", missing).then().statusCode(403)
                .extract().path("detail");
        assertThat(bobsMissing).isEqualTo(bobsDenied);
        as(ADMIN).get("/videos/{id}", missing).then().statusCode(404);
        as(WRITER).contentType(ContentType.JSON).body(Map.of("status", "failed")).put("/videos/{id}/status", missing)
                .then().statusCode(404);
    }

    @Test
    void listingShowsOwnVideosOnly() {
        String alices = videoOwnedBy("alice");
        String bobs = videoOwnedBy("bob");
        List<String> alicesList = as(TestTokens.user("alice")).queryParam("limit", 500).get("/videos")
                .then().statusCode(200).extract().jsonPath().getList("items.id");
        assertThat(alicesList).contains(alices).doesNotContain(bobs);
        assertThat(as(TestTokens.user("alice")).queryParam("limit", 500).get("/videos").then().extract().jsonPath()
                .getList("items.ownerId", String.class)).containsOnly("alice");
    }

    @Test
    void aNewVideoWithoutOwnerBelongsToItsCreator() {
        String writerAndUser = TestTokens.withGroups("carol", "video-writer");
        String id = as(writerAndUser).contentType(ContentType.JSON).body(Map.of("rawFilePath", "/x")).post("/videos")
                .then().statusCode(201).body("ownerId", equalTo("carol")).extract().path("id");
        as(TestTokens.user("carol")).get("/videos/{id}", id).then().statusCode(200);
    }

    // --- sockets -----------------------------------------------------------------------------------

    @Test
    void aSocketWithoutAuthIsClosed4401AfterTheTimeout() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            assertThat(socket.awaitClose()).isEqualTo(4401);
        }
    }

    @Test
    void anythingButAuthFirstIsClosed4401() {
        String id = videoOwnedBy("alice");
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "subscribe", "videoId", id);
            assertThat(socket.awaitClose()).isEqualTo(4401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenInTheAuthMessageIsClosed4401(String attack, String token) {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "auth", "token", token);
            JsonObject error = socket.next("error");
            assertThat(error.encode()).doesNotContain(token);
            assertThat(socket.awaitClose()).isEqualTo(4401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenOnTheUpgradeIsRefused(String attack, String token) {
        assertThat(TestSocket.upgradeStatus(base, "/events", Map.of("Authorization", "Bearer " + token))).isEqualTo(401);
    }

    @Test
    void theOwnerWatchesWithAnAuthMessageOrAHeader() {
        String id = videoOwnedBy("alice");
        try (TestSocket browser = TestSocket.open(base, "/events");
                TestSocket app = TestSocket.watching(base, id,
                        Map.of("Authorization", "Bearer " + TestTokens.user("alice")))) {
            browser.send("type", "auth", "token", TestTokens.user("alice"));
            browser.subscribe(id);

            as(WRITER).contentType(ContentType.JSON).body(Map.of("status", "processing")).put("/videos/{id}/status", id)
                    .then().statusCode(200);
            assertThat(browser.next("status").getLong("version")).isEqualTo(2);
            assertThat(app.next("status").getLong("version")).isEqualTo(2);
        }
    }

    @Test
    void theOneVideoSocketAuthenticatesByMessageToo() {
        String id = videoOwnedBy("alice");
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=0")) {
            socket.send("type", "auth", "token", TestTokens.user("alice"));
            assertThat(socket.next("status").getLong("version")).isEqualTo(1);
        }
    }

    @Test
    void someoneElsesVideoIsForbiddenOnBothEndpoints() {
        String id = videoOwnedBy("alice");
        try (TestSocket many = TestSocket.open(base, "/events")) {
            many.send("type", "auth", "token", TestTokens.user("bob"));
            many.send("type", "subscribe", "videoId", id);
            JsonObject error = many.next("error");
            assertThat(error.getString("code")).isEqualTo("forbidden");
            // the replay path is checked the same way
            many.send("type", "subscribe", "videoId", id, "after", 0);
            assertThat(many.next("error").getString("code")).isEqualTo("forbidden");
            // and a missing video looks the same to bob
            many.send("type", "subscribe", "videoId", Ids.fresh("missing"));
            assertThat(many.next("error").getString("code")).isEqualTo("forbidden");
            assertThat(many.isClosed()).isFalse();
        }
        try (TestSocket one = TestSocket.open(base, "/videos/" + id + "/events",
                Map.of("Authorization", "Bearer " + TestTokens.user("bob")))) {
            assertThat(one.next("error").getString("code")).isEqualTo("forbidden");
            assertThat(one.awaitClose()).isEqualTo(4403);
        }
        try (TestSocket resume = TestSocket.open(base, "/videos/" + id + "/events?after=0",
                Map.of("Authorization", "Bearer " + TestTokens.user("bob")))) {
            assertThat(resume.next("error").getString("code")).isEqualTo("forbidden");
            assertThat(resume.awaitClose()).isEqualTo(4403);
        }
    }

    @Test
    void aWorkerTokenCannotWatchButAnAdminCan() {
        String id = videoOwnedBy("alice");
        try (TestSocket worker = TestSocket.open(base, "/events", Map.of("Authorization", "Bearer " + WRITER));
                TestSocket admin = TestSocket.open(base, "/events", Map.of("Authorization", "Bearer " + ADMIN))) {
            worker.send("type", "subscribe", "videoId", id);
            assertThat(worker.next("error").getString("code")).isEqualTo("forbidden");
            admin.subscribe(id);
            admin.send("type", "subscribe", "videoId", Ids.fresh("missing"));
            assertThat(admin.next("error").getString("code")).isEqualTo("not_found");
        }
    }

    @Test
    void aVideoWithoutOwnerIsForAdminsOnly() {
        String id = Ids.fresh("ownerless");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
        }
        as(TestTokens.user("alice")).get("/videos/{id}", id).then().statusCode(403);
        as(ADMIN).get("/videos/{id}", id).then().statusCode(200).body("ownerId", equalTo(null));
    }

    @Test
    void replacingTheTokenBeforeExpiryKeepsTheSocket() {
        String id = videoOwnedBy("alice");
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "auth", "token", TestTokens.expiringAt("alice", Instant.now().plusSeconds(3)));
            socket.subscribe(id);
            socket.send("type", "auth", "token", TestTokens.user("alice"));
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> !socket.isClosed());
            as(WRITER).contentType(ContentType.JSON).body(Map.of("status", "failed")).put("/videos/{id}/status", id)
                    .then().statusCode(200);
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
        }
    }

    @Test
    void aReplacementForAnotherSubjectIsRefused() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "auth", "token", TestTokens.user("alice"));
            socket.send("type", "auth", "token", TestTokens.user("mallory"));
            assertThat(socket.awaitClose()).isEqualTo(4401);
        }
    }

    @Test
    void aSocketWhoseTokenExpiresIsClosed4401() {
        try (TestSocket byMessage = TestSocket.open(base, "/events");
                TestSocket byHeader = TestSocket.open(base, "/events",
                        Map.of("Authorization", "Bearer " + TestTokens.expiringAt("alice", Instant.now().plusSeconds(2))))) {
            byMessage.send("type", "auth", "token", TestTokens.expiringAt("alice", Instant.now().plusSeconds(2)));
            assertThat(byMessage.awaitClose()).isEqualTo(4401);
            assertThat(byHeader.awaitClose()).isEqualTo(4401);
        }
    }

    @Test
    void aForeignOriginIsRefusedAndAllowedOnesAreNot() {
        String token = "Bearer " + TestTokens.user("alice");
        assertThat(TestSocket.upgradeStatus(base, "/events", Map.of("Origin", "https://evil.example", "Authorization", token)))
                .isEqualTo(403);
        assertThat(TestSocket.upgradeStatus(base, "/events", Map.of("Origin", AuthProfile.ALLOWED_ORIGIN, "Authorization", token)))
                .isEqualTo(101);
        String own = base.toString().replaceAll("/$", "");
        assertThat(TestSocket.upgradeStatus(base, "/events", Map.of("Origin", own, "Authorization", token))).isEqualTo(101);
        // the own origin only whole: no longer host, port or other scheme passes
        for (String lookalike : new String[] { own + ".evil.example", own + "0", own.replaceFirst("^http", "https"),
                own.replaceFirst("://", "://x") }) {
            assertThat(TestSocket.upgradeStatus(base, "/events", Map.of("Origin", lookalike, "Authorization", token)))
                    .as(lookalike).isEqualTo(403);
        }
    }

    /**
     * The origin allow-list is also the CORS allow-list for REST: a page on a listed origin may call the API
     * from a browser; a page anywhere else gets no CORS grant at all (neither its own origin echoed nor
     * {@code *}), so the browser keeps it from reading any answer.
     */
    @Test
    void corsAllowsTheConfiguredOriginOnly() {
        given().header("Origin", AuthProfile.ALLOWED_ORIGIN).header("Access-Control-Request-Method", "PUT")
                .options("/videos/x/status").then().header("Access-Control-Allow-Origin", AuthProfile.ALLOWED_ORIGIN);
        as(ADMIN).header("Origin", AuthProfile.ALLOWED_ORIGIN).get("/videos")
                .then().statusCode(200).header("Access-Control-Allow-Origin", AuthProfile.ALLOWED_ORIGIN);

        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "PUT")
                .options("/videos/x/status").then().header("Access-Control-Allow-Origin", nullValue());
        as(ADMIN).header("Origin", "https://evil.example").get("/videos")
                .then().header("Access-Control-Allow-Origin", nullValue());
    }
}
