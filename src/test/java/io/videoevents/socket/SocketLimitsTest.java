package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TightLimitsProfile;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/** Per-socket limits, with small values from {@link TightLimitsProfile}. */
@QuarkusTest
@TestProfile(TightLimitsProfile.class)
class SocketLimitsTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void subscriptionsPerSocketAreCapped() {
        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            String extra = Ids.fresh("extra");
            worker.insertVideo(extra);
            for (int i = 0; i < TightLimitsProfile.MAX_SUBSCRIPTIONS; i++) {
                String id = Ids.fresh("cap");
                worker.insertVideo(id);
                socket.send("type", "subscribe", "videoId", id);
                socket.next("subscribed");
                socket.next("snapshot");
            }
            socket.send("type", "subscribe", "videoId", extra);
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("too_many_subscriptions");
            assertThat(error.getString("videoId")).isEqualTo(extra);
            assertThat(socket.isClosed()).isFalse();
        }
    }

    @Test
    void aFloodIsRateLimitedThenClosedWith1008() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            int sent = 0;
            // the burst allowance is used up by the first messages, whose answers are bad_request
            for (; sent < TightLimitsProfile.MESSAGES_PER_SECOND * 4; sent++) {
                socket.send("{\"type\":\"unsubscribe\",\"videoId\":\"nothing\"}");
            }
            boolean limited = false;
            int code = -1;
            while (!limited) {
                JsonObject message = socket.next("error");
                limited = "rate_limited".equals(message.getString("code"));
            }
            code = socket.awaitClose();
            assertThat(limited).isTrue();
            assertThat(code).isEqualTo(1008);
        }
    }
}
