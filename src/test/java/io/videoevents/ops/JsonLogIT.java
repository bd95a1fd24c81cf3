package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.videoevents.support.Ids;
import io.videoevents.support.JsonLog;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.TestSocket;
import io.videoevents.support.ThrowawayDatabase;
import io.videoevents.support.WorkerSql;

/**
 * The packaged application, in its prod profile as a container runs it, logs one JSON object per line, and a line
 * about one video carries the video's id as a field ({@code mdc.videoId}), not only inside the message.
 */
class JsonLogIT {

    static final String LOG = "json-log";

    @Test
    void prodLogsJsonAndLinesAboutAVideoCarryItsId() {
        String id = Ids.fresh("forged");
        try (ThrowawayDatabase db = new ThrowawayDatabase();
                PackagedApp app = PackagedApp.start(LOG, db.settings());
                WorkerSql other = db.worker()) {
            // a status notification somebody else sends on the channel: dropped, and a warning about the video it names
            other.update("SELECT pg_notify('video_status_events', ?)", "{\"videoId\":\"" + id
                    + "\",\"version\":2,\"status\":\"failed\",\"previousStatus\":\"pending\",\"occurredAt\":"
                    + System.currentTimeMillis() * 1000 + ",\"sig\":\"00112233445566778899aabbccddeeff\"}");

            await().atMost(TestSocket.WAIT).until(() -> aboutVideo(id).isPresent());
            JsonNode line = aboutVideo(id).orElseThrow();
            assertThat(line.path("level").asText()).isEqualTo("WARN");
            assertThat(line.path("loggerName").asText()).isEqualTo("io.videoevents.notify.StatusListener");
            assertThat(line.path("message").asText()).contains("without the trigger's signature").contains(id);
            assertThat(line.path("timestamp").asText()).isNotBlank();

            // every line is JSON, start-up included; lines about no video have no videoId
            List<String> lines = PackagedApp.log(LOG).lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).allSatisfy(l -> assertThat(JsonLog.record(l)).as(l).isPresent());
            List<JsonNode> records = JsonLog.records(PackagedApp.log(LOG));
            assertThat(records).anySatisfy(r -> assertThat(r.path("message").asText()).contains("LISTENing on channel"));
            assertThat(records).filteredOn(r -> r.path("message").asText().contains("LISTENing on channel"))
                    .allSatisfy(r -> assertThat(r.at("/mdc/videoId").isMissingNode()).isTrue());
        }
    }

    private static Optional<JsonNode> aboutVideo(String id) {
        return JsonLog.records(PackagedApp.log(LOG)).stream().filter(r -> id.equals(r.at("/mdc/videoId").asText())).findFirst();
    }
}
