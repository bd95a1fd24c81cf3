package io.videoevents.video;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.videoevents.support.Ids;
import io.videoevents.support.WorkerSql;

/** The REST contract: the happy paths, and an RFC 9457 problem for every way a request can be wrong. */
@QuarkusTest
class VideoResourceTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void createReadChangeAndHistory() {
        String id = Ids.fresh("rest");
        given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/uploads/a.mp4"))
                .when().post("/videos")
                .then().statusCode(201)
                .header("Location", endsWith("/videos/" + id))
                .body("id", equalTo(id), "status", equalTo("pending"), "version", equalTo(1),
                        "rawFilePath", equalTo("/uploads/a.mp4"));

        given().contentType(ContentType.JSON).body(Map.of("status", "processing"))
                .when().put("/videos/{id}/status", id)
                .then().statusCode(200).body("status", equalTo("processing"), "version", equalTo(2));

        given().when().get("/videos/{id}", id)
                .then().statusCode(200)
                .body("id", equalTo(id), "status", equalTo("processing"), "version", equalTo(2),
                        "createdAt", not(equalTo(null)), "updatedAt", not(equalTo(null)));

        List<Map<String, Object>> history = given().when().get("/videos/{id}/history", id)
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(history).extracting(e -> e.get("version")).containsExactly(1, 2);
        assertThat(history).extracting(e -> e.get("status")).containsExactly("pending", "processing");

        List<Map<String, Object>> after1 = given().queryParam("after", 1).when().get("/videos/{id}/history", id)
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(after1).extracting(e -> e.get("version")).containsExactly(2);
    }

    @Test
    void createWithoutIdGetsAUuid() {
        String id = given().contentType(ContentType.JSON).body(Map.of("rawFilePath", "/uploads/b.mp4"))
                .when().post("/videos")
                .then().statusCode(201).extract().path("id");
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void aWorkersSqlChangeShowsInRest() {
        String id = Ids.fresh("sql");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            worker.setStatus(id, "failed");
        }
        given().when().get("/videos/{id}", id).then().statusCode(200).body("status", equalTo("failed"), "version", equalTo(2));
    }

    @Test
    void listPagesThroughByCursorAndFiltersByStatus() {
        String prefix = Ids.fresh("page");
        for (int i = 0; i < 5; i++) {
            given().contentType(ContentType.JSON).body(Map.of("id", prefix + "-" + i, "rawFilePath", "/p"))
                    .post("/videos").then().statusCode(201);
        }
        given().contentType(ContentType.JSON).body(Map.of("status", "failed"))
                .put("/videos/{id}/status", prefix + "-3").then().statusCode(200);

        List<String> failed = given().queryParam("status", "failed").queryParam("limit", 500)
                .get("/videos").then().statusCode(200).extract().jsonPath().getList("items.id");
        assertThat(failed).contains(prefix + "-3").doesNotContain(prefix + "-2");

        List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParam("limit", 2);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var page = request.get("/videos").then().statusCode(200).extract().jsonPath();
            List<String> ids = page.getList("items.id");
            assertThat(ids.size()).isLessThanOrEqualTo(2);
            seen.addAll(ids);
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        assertThat(seen).isSorted().doesNotHaveDuplicates()
                .containsSubsequence(prefix + "-0", prefix + "-1", prefix + "-2", prefix + "-3", prefix + "-4");
    }

    @Test
    void duplicateIdIsConflict() {
        String id = Ids.fresh("dup");
        given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/x")).post("/videos")
                .then().statusCode(201);
        problem(given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/y")).post("/videos").then(), 409)
                .body("detail", containsString(id));
    }

    @Test
    void unknownVideoIsNotFound() {
        String id = Ids.fresh("nobody");
        problem(given().get("/videos/{id}", id).then(), 404);
        problem(given().get("/videos/{id}/history", id).then(), 404);
        problem(given().contentType(ContentType.JSON).body(Map.of("status", "processing"))
                .put("/videos/{id}/status", id).then(), 404);
    }

    @Test
    void unknownStatusIsBadRequest() {
        String id = Ids.fresh("status");
        given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/x")).post("/videos").then().statusCode(201);
        problem(given().contentType(ContentType.JSON).body(Map.of("status", "exploded")).put("/videos/{id}/status", id).then(), 400)
                .body("detail", containsString("pending, processing, processed, failed"));
        problem(given().contentType(ContentType.JSON).body("{}").put("/videos/{id}/status", id).then(), 400);
        problem(given().contentType(ContentType.JSON).body("{\"status\": 7}").put("/videos/{id}/status", id).then(), 400);
        problem(given().queryParam("status", "exploded").get("/videos").then(), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "{", "[]", "null", "\"text\"", "{\"rawFilePath\": 12, \"id\": {}}", "{\"rawFilePath\": \"\"}",
            "{\"id\": \"x\"}", "not json at all", "{\"rawFilePath\": \"/a\\u0000b\"}" })
    void malformedOrMissingBodyIsBadRequest(String body) {
        problem(given().contentType(ContentType.JSON).body(body).post("/videos").then(), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "has space", "semi;colon", "x'); DROP TABLE videos; --", "slash/inside", "ünïcode" })
    void badIdsAreRefused(String id) {
        problem(given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/x")).post("/videos").then(), 400);
    }

    @Test
    void tooLongIdIsRefused() {
        problem(given().contentType(ContentType.JSON).body(Map.of("id", "a".repeat(201), "rawFilePath", "/x"))
                .post("/videos").then(), 400);
        problem(given().get("/videos/{id}", "a".repeat(201)).then(), 400);
        given().contentType(ContentType.JSON).body(Map.of("id", "a" + Ids.fresh("").substring(0, 37) + "b".repeat(162), "rawFilePath", "/x"))
                .post("/videos").then().statusCode(201);
    }

    @ParameterizedTest
    @ValueSource(strings = { "limit=0", "limit=-1", "limit=501", "limit=abc", "limit=1.5", "cursor=%25%25", "cursor=bm90IHZhbGlkIGlk" })
    void badPagingIsBadRequest(String query) {
        problem(given().urlEncodingEnabled(false).get("/videos?" + query).then(), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "after=-1", "after=x", "limit=0", "limit=100000" })
    void badHistoryParametersAreBadRequest(String query) {
        String id = Ids.fresh("hist");
        given().contentType(ContentType.JSON).body(Map.of("id", id, "rawFilePath", "/x")).post("/videos").then().statusCode(201);
        problem(given().urlEncodingEnabled(false).get("/videos/" + id + "/history?" + query).then(), 400);
    }

    @Test
    void wrongMethodAndMediaTypeAreProblemsToo() {
        problem(given().delete("/videos").then(), 405);
        problem(given().contentType(ContentType.TEXT).body("rawFilePath=/x").post("/videos").then(), 415);
        problem(given().get("/no/such/path").then(), 404);
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status), "title", not(equalTo(null)), "detail", not(equalTo(null)))
                .body(not(containsString("Exception")))
                .body(not(containsString("\tat ")));
    }
}
