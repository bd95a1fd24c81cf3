package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
                socket.subscribe(id);
            }
            socket.send("type", "subscribe", "videoId", extra);
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("too_many_subscriptions");
            assertThat(error.getString("videoId")).isEqualTo(extra);
            assertThat(socket.isClosed()).isFalse();
        }
    }

    /**
     * The configured rate is allowed with a burst of as many; beyond it each message is refused with
     * {@code rate_limited}, and a client that keeps sending through as many refusals in a row is closed with
     * 1008, its last answer saying why.
     */
    @Test
    void aFloodIsRateLimitedThenClosedWith1008() {
        int rate = TightLimitsProfile.MESSAGES_PER_SECOND;
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            for (int sent = 0; sent < rate * 4; sent++) {
                socket.send("{\"type\":\"unsubscribe\",\"videoId\":\"nothing\"}");
            }
            List<String> codes = new ArrayList<>();
            for (Optional<JsonObject> message = socket.nextUntilClosed(); message.isPresent(); message = socket.nextUntilClosed()) {
                assertThat(message.get().getString("type")).isEqualTo("error");
                codes.add(message.get().getString("code"));
            }
            assertThat(socket.awaitClose()).as("answers %s", codes).isEqualTo(1008);

            // the burst: the first messages are handled (not subscribed to "nothing": bad_request), none refused
            assertThat(codes.subList(0, rate)).as("answers %s", codes).containsOnly("bad_request");
            // then refusals, as many in a row as the rate allows per second, the last one before the close
            int refusedInARow = 0;
            for (int i = codes.size() - 1; i >= 0 && codes.get(i).equals("rate_limited"); i--) {
                refusedInARow++;
            }
            assertThat(refusedInARow).as("answers %s", codes).isBetween(rate, rate + 1);
            // and the socket is closed at that point, not after every message sent
            assertThat(codes.size()).as("answers %s", codes).isLessThan(rate * 4);
        }
    }
}
