package io.videoevents.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TracingProfile;
import io.videoevents.support.WorkerSql;

/**
 * With tracing on, a worker that sets {@code video_events.traceparent} in its transaction finds the change's
 * deliveries in its own trace; a change without one records nothing; a status change over REST carries the
 * request's trace to its deliveries.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class TracingTest {

    static final AttributeKey<String> VIDEO = AttributeKey.stringKey("video.id");

    @TestHTTPResource("/")
    URI base;

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aWorkersTracedChangeContinuesItsTraceThroughItsDeliveries() throws SQLException {
        String id = Ids.fresh("traced");
        String traceId = hex(16);
        String workerSpan = hex(8);
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            try (TestSocket first = TestSocket.watching(base, id); TestSocket second = TestSocket.subscribed(base, id)) {
                inTransaction(worker, "00-" + traceId + "-" + workerSpan + "-01", () -> worker.setStatus(id, "processing"));
                assertThat(first.next("status").getLong("version")).isEqualTo(2);
                assertThat(second.next("status").getLong("version")).isEqualTo(2);

                SpanData deliver = awaitSpan("video-events deliver", id);
                assertThat(deliver.getTraceId()).isEqualTo(traceId);
                assertThat(deliver.getParentSpanId()).as("a child of the worker's span").isEqualTo(workerSpan);
                assertThat(deliver.getKind()).isEqualTo(SpanKind.CONSUMER);
                assertThat(deliver.getAttributes().get(AttributeKey.longKey("video.version"))).isEqualTo(2L);
                assertThat(deliver.getAttributes().get(AttributeKey.longKey("video_events.subscriptions"))).isEqualTo(2L);
                // one span per event loop that wrote, together the two sockets
                await().atMost(TestSocket.WAIT).until(() -> writesOf(deliver).stream()
                        .mapToLong(w -> w.getAttributes().get(AttributeKey.longKey("video_events.written"))).sum() == 2);
            }
        }
    }

    @Test
    void aChangeWithoutATraceparentRecordsNothing() throws SQLException {
        String plain = Ids.fresh("untraced");
        String marker = Ids.fresh("traced-marker");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(plain);
            worker.insertVideo(marker);
            try (TestSocket socket = TestSocket.subscribed(base, plain, marker)) {
                worker.setStatus(plain, "processing");
                assertThat(socket.next("status").getString("videoId")).isEqualTo(plain);
                // a traced change after it: once its span is exported, one for the first change would have been too
                inTransaction(worker, "00-" + hex(16) + "-" + hex(8) + "-01", () -> worker.setStatus(marker, "processing"));
                assertThat(socket.next("status").getString("videoId")).isEqualTo(marker);
                awaitSpan("video-events deliver", marker);
                assertThat(spans.getFinishedSpanItems()).noneMatch(span -> plain.equals(span.getAttributes().get(VIDEO)));
            }
        }
    }

    @Test
    void aStatusChangeOverRestCarriesTheRequestsTraceToItsDeliveries() {
        String id = Ids.fresh("traced-rest");
        String traceId = hex(16);
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
        }
        try (TestSocket socket = TestSocket.watching(base, id)) {
            given().contentType("application/json").header("traceparent", "00-" + traceId + "-" + hex(8) + "-01")
                    .body(Map.of("status", "processed")).put("/videos/{id}/status", id).then().statusCode(200);
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);

            SpanData deliver = awaitSpan("video-events deliver", id);
            assertThat(deliver.getTraceId()).isEqualTo(traceId);
            SpanData request = spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getKind() == SpanKind.SERVER && span.getTraceId().equals(traceId)).findFirst()
                    .orElseThrow(() -> new AssertionError("no server span of the request: " + spans.getFinishedSpanItems()));
            assertThat(deliver.getParentSpanId()).as("the deliveries hang off the request").isEqualTo(request.getSpanId());
        }
    }

    private SpanData awaitSpan(String name, String videoId) {
        return await().atMost(TestSocket.WAIT).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name) && videoId.equals(span.getAttributes().get(VIDEO))).findFirst()
                .orElse(null), span -> span != null);
    }

    private List<SpanData> writesOf(SpanData deliver) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals("video-events write") && span.getParentSpanId().equals(deliver.getSpanId()))
                .toList();
    }

    /** Runs {@code work} in one transaction of the worker that set the traceparent first, as a traced worker would. */
    private static void inTransaction(WorkerSql worker, String traceparent, Runnable work) throws SQLException {
        Connection connection = worker.connection();
        connection.setAutoCommit(false);
        try {
            worker.update("SELECT set_config('video_events.traceparent', ?, true)", traceparent);
            work.run();
            connection.commit();
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1; // never all zeros, which W3C calls invalid
        return HexFormat.of().formatHex(random);
    }
}
