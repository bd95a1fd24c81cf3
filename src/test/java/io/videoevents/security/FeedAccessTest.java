package io.videoevents.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.videoevents.support.AuthProfile;
import io.videoevents.support.FeedClient;
import io.videoevents.support.Ids;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * A user's feed holds exactly their own videos and follows the row: a video given to another owner (plain SQL)
 * leaves the old owner's feed and enters the new one's, with its state; an admin's feed holds every video and
 * sees the owner change as such. Owners are fresh per test, so each feed holds only this test's videos.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class FeedAccessTest {

    @TestHTTPResource("/")
    URI base;

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    void aVideoGivenToAnotherOwnerLeavesOneFeedAndEntersTheOther() {
        String alice = Ids.fresh("alice");
        String bob = Ids.fresh("bob");
        String shared = Ids.fresh("feed-owner");
        String alicesOwn = Ids.fresh("feed-own");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, '/a', ?)", alicesOwn, alice);
            try (FeedClient ofAlice = FeedClient.live(base, bearer(TestTokens.user(alice)));
                    FeedClient ofBob = FeedClient.live(base, bearer(TestTokens.user(bob)));
                    FeedClient ofAdmin = FeedClient.live(base, bearer(TestTokens.withGroups("ops", "video-admin")))) {
                assertThat(ofAlice.subscribed().getString("scope")).isEqualTo("owner");
                assertThat(ofAlice.subscribed().getString("ownerId")).isEqualTo(alice);
                assertThat(ofAdmin.subscribed().getString("scope")).isEqualTo("all");
                assertThat(ofAlice.videos().keySet()).containsExactly(alicesOwn);
                assertThat(ofBob.videos()).isEmpty();

                // a worker creates a video for alice, moves it on, then gives it to bob, then moves it on again
                worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, '/s', ?)", shared, alice);
                worker.setStatus(shared, "processing");
                worker.update("UPDATE videos SET owner_id = ? WHERE id = ?", bob, shared);
                worker.setStatus(shared, "processed");

                JsonObject left = ofAlice.awaitChange(c -> c.getString("videoId").equals(shared) && c.getString("change").equals("left"));
                assertThat(left.getString("ownerId")).as("the old owner is not told who owns it now").isNull();
                assertThat(ofAlice.changes(shared)).extracting(c -> c.getString("change")).containsExactly("created", "status", "left");
                assertThat(ofAlice.videos()).doesNotContainKey(shared);

                JsonObject processed = ofBob.awaitChange(c -> c.getString("videoId").equals(shared) && c.getLong("version") == 3);
                List<JsonObject> bobs = ofBob.changes(shared);
                assertThat(bobs).extracting(c -> c.getString("change")).containsExactly("entered", "status");
                assertThat(bobs.get(0).getLong("version")).isEqualTo(2L);
                assertThat(bobs.get(0).getString("status")).isEqualTo("processing");
                assertThat(processed.getString("status")).isEqualTo("processed");
                assertThat(ofBob.videos().keySet()).containsExactly(shared);

                ofAdmin.awaitChange(c -> c.getString("videoId").equals(shared) && c.getLong("version") == 3);
                List<JsonObject> admins = ofAdmin.changes(shared);
                assertThat(admins).extracting(c -> c.getString("change")).containsExactly("created", "status", "owner", "status");
                assertThat(admins.get(2).getString("ownerId")).isEqualTo(bob);
                assertThat(admins.get(2).getString("previousOwnerId")).isEqualTo(alice);

                // and alice's feed got nothing of the video after it left: her next change is of her own video
                worker.setStatus(alicesOwn, "failed");
                JsonObject next = ofAlice.awaitChange(c -> true);
                assertThat(next.getString("videoId")).isEqualTo(alicesOwn);
            }
        }
    }

    @Test
    void theSnapshotHoldsOnlyTheCallersVideosPageByPageAndRestServesTheSameFeed() {
        String carol = Ids.fresh("carol");
        int count = 1203;
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.update("INSERT INTO videos (id, raw_file_path, owner_id)"
                    + " SELECT ? || '-' || lpad(i::text, 5, '0'), '/p', ? FROM generate_series(1, ?) i", carol, carol, count);
            worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, '/n', ?)", Ids.fresh("not-carols"), "dave");
            String token = TestTokens.user(carol);
            try (FeedClient feed = FeedClient.live(base, bearer(token))) {
                assertThat(feed.videos()).hasSize(count);
                assertThat(feed.pages()).hasSize(3);
                assertThat(feed.pages()).extracting(p -> p.getBoolean("complete")).containsExactly(false, false, true);
            }

            // the same over REST, following the cursor; a mid-snapshot cursor continues where it stood
            int listed = 0;
            String cursor = null;
            boolean more = true;
            while (more) {
                var request = given().auth().oauth2(token).queryParam("limit", 500);
                if (cursor != null) {
                    request.queryParam("cursor", cursor);
                }
                JsonPath page = request.get("/feed").then().statusCode(200).extract().jsonPath();
                listed += page.getList("videos").size();
                cursor = page.getString("cursor");
                more = page.getBoolean("more");
            }
            assertThat(listed).isEqualTo(count);
            assertThat(cursor).startsWith("c.");

            String id = carol + "-00001";
            worker.setStatus(id, "processing");
            String from = cursor;
            // committed; the feed serves it once every transaction older than it has ended (at once, here)
            List<Map<String, Object>> changes = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> given().auth().oauth2(token).queryParam("cursor", from).get("/feed").then().statusCode(200)
                            .extract().jsonPath().<Map<String, Object>> getList("changes"), list -> !list.isEmpty());
            assertThat(changes).hasSize(1);
            assertThat(changes.get(0)).containsEntry("change", "status").containsEntry("videoId", id).containsEntry("version", 2);
        }
    }

    @Test
    void restRefusesABadCursorAndAMissingToken() {
        given().auth().oauth2(TestTokens.user("erin")).queryParam("cursor", "c.1").get("/feed").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/feed").then().statusCode(401).contentType("application/problem+json");
    }
}
