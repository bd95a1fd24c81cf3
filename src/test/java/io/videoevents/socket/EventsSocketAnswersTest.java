package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/** On /events every subscribe and unsubscribe gets exactly one answer, in the order sent, even when they overlap. */
@QuarkusTest
class EventsSocketAnswersTest {

    @TestHTTPResource("/")
    URI base;

    private static List<String> answers(TestSocket socket, int count) {
        List<String> answers = new ArrayList<>();
        while (answers.size() < count) {
            JsonObject message = socket.next();
            String type = message.getString("type");
            if (type.equals("error")) {
                answers.add("error " + message.getString("code"));
            } else if (type.equals("subscribed") || type.equals("unsubscribed")) {
                answers.add(type);
            }
        }
        return answers;
    }

    @Test
    void anUnsubscribeRightBehindItsSubscribeAnswersBothInOrder() {
        String id = Ids.fresh("answers");
        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            worker.insertVideo(id);
            socket.send("type", "subscribe", "videoId", id);
            socket.send("type", "unsubscribe", "videoId", id);
            assertThat(answers(socket, 2)).containsExactly("subscribed", "unsubscribed");
            // and nothing of the video afterwards
            worker.setStatus(id, "processing");
            socket.send("type", "unsubscribe", "videoId", id);
            assertThat(socket.next("error").getString("code")).isEqualTo("bad_request");
        }
    }

    @Test
    void repeatedSubscribesToAMissingVideoAreEachRefused() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            String missing = Ids.fresh("missing");
            for (int i = 0; i < 3; i++) {
                socket.send("type", "subscribe", "videoId", missing);
            }
            assertThat(answers(socket, 3)).containsExactly("error not_found", "error not_found", "error not_found");
        }
    }

    @Test
    void repeatedSubscribesToAVideoAreEachAnsweredAndSnapshotOnce() {
        String id = Ids.fresh("answers");
        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            worker.insertVideo(id);
            for (int i = 0; i < 3; i++) {
                socket.send("type", "subscribe", "videoId", id);
            }
            List<String> types = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                types.add(socket.next().getString("type"));
            }
            // the first answer comes before its snapshot; the snapshot may come before the later answers
            // (each message is handled as it arrives, and the read can finish before the next one does)
            assertThat(types.get(0)).isEqualTo("subscribed");
            assertThat(types).containsExactlyInAnyOrder("subscribed", "subscribed", "subscribed", "snapshot");
            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
            assertThat(socket.pending()).isZero();
        }
    }
}
