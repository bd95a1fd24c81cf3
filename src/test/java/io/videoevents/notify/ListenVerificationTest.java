package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;

import jakarta.inject.Inject;

/**
 * The pooler check: through a pooler in transaction mode, the LISTEN and the query that verifies it
 * land on different server sessions. A session that never ran LISTEN is exactly what the check then
 * sees, so it must answer "does not hold" there, and "holds" on the listener's own session.
 */
@QuarkusTest
class ListenVerificationTest {

    @Inject
    Vertx vertx;

    @Inject
    VideoEventsConfig config;

    @Inject
    StatusListener listener;

    @Test
    void aSessionThatDidNotListenIsReportedAndOneThatDidIsNot() throws Exception {
        var settings = ConfigProvider.getConfig();
        var options = StatusListener.connectOptions(settings.getValue("quarkus.datasource.reactive.url", String.class),
                settings.getOptionalValue("quarkus.datasource.username", String.class),
                settings.getOptionalValue("quarkus.datasource.password", String.class), config.listener());
        PgConnection connection = await(PgConnection.connect(vertx, options));
        try {
            String channel = config.listener().channel();
            assertThat(await(StatusListener.listenHolds(connection, channel))).isFalse();
            await(connection.query("LISTEN " + channel).execute());
            assertThat(await(StatusListener.listenHolds(connection, channel))).isTrue();
        } finally {
            await(connection.close());
        }
    }

    @Test
    void theRunningListenerHoldsItsListen() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(listener::isListening);
        assertThat(listener.problem()).isEqualTo(Optional.empty());
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
