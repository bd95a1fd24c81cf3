package io.videoevents;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.videoevents.support.EmbeddedDatabase;
import io.videoevents.support.Ids;
import io.videoevents.support.TestAuthKeys;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * The packaged application in its production profile (authentication on), end to end: health, REST,
 * and a worker's SQL arriving on a socket.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedDatabase.class)
@WithTestResource(TestAuthKeys.class)
class VideoEventsIT {

    static final String WRITER = "Bearer " + TestTokens.withGroups("worker-1", "video-writer");
    static final String OWNER = "Bearer " + TestTokens.user("alice");

    @TestHTTPResource("/")
    URI base;

    @Test
    void readyWithDatabaseAndListener() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void workersSqlReachesTheSocket() {
        String id = Ids.fresh("it");
        given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/uploads/it.mp4"))
                .when().post("/videos").then().statusCode(401);
        given().header("Authorization", WRITER).contentType(ContentType.JSON)
                .body(Map.of("id", id, "rawFilePath", "/uploads/it.mp4", "ownerId", "alice"))
                .when().post("/videos").then().statusCode(201);

        try (TestSocket socket = TestSocket.watching(base, id, Map.of("Authorization", OWNER));
                WorkerSql worker = EmbeddedDatabase.worker()) {
            assertThat(socket.snapshot().getLong("version")).isEqualTo(1);

            worker.setStatus(id, "processing");
            JsonObject status = socket.next("status");
            assertThat(status.getString("videoId")).isEqualTo(id);
            assertThat(status.getLong("version")).isEqualTo(2);
            assertThat(status.getString("previousStatus")).isEqualTo("pending");

            given().header("Authorization", WRITER).contentType(ContentType.JSON).body(Map.of("status", "processed"))
                    .when().put("/videos/{id}/status", id).then().statusCode(200).body("version", equalTo(3));
            assertThat(socket.next("status").getString("status")).isEqualTo("processed");
        }
    }

    @Test
    void unknownVideoClosesWith4404ForAnAdmin() {
        String admin = "Bearer " + TestTokens.withGroups("ops", "video-admin");
        try (TestSocket socket = TestSocket.open(base, "/videos/" + Ids.fresh("none") + "/events", Map.of("Authorization", admin))) {
            assertThat(socket.next("error").getString("code")).isEqualTo("not_found");
            assertThat(socket.awaitClose()).isEqualTo(4404);
        }
    }

    @Test
    void aSocketWithoutTokenIsClosed4401() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "subscribe", "videoId", "anything");
            assertThat(socket.awaitClose()).isEqualTo(4401);
        }
    }
}
