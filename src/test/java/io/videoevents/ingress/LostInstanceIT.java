package io.videoevents.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.videoevents.support.IngressFigures;
import io.videoevents.support.IngressTopology;
import io.videoevents.support.PacedChanges;
import io.videoevents.support.ReconnectingClients;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;

/**
 * A replica lost behind nginx: {@code kill -9} of one of 3 replicas while clients watch through nginx and a
 * worker commits status changes at a steady rate. Its clients come back through nginx to the others on
 * their first attempt (within the backoff window: the first reconnect waits 125–250 ms), nobody else
 * notices, and nothing is lost, repeated or reordered. Prints how the returns spread over time.
 *
 * <p>Sizes: {@code ingress.sockets}, {@code ingress.videos}, {@code ingress.rate}; nginx's {@code max_fails}:
 * {@code ingress.lost.max-fails} (0, as ingress-nginx balances).
 */
class LostInstanceIT {

    @Test
    void clientsOfAKilledReplicaComeBackThroughNginxAndLoseNothing() {
        int sockets = IngressFigures.sockets(300);
        int videoCount = IngressFigures.videos(100);
        int rate = IngressFigures.rate(50);
        int maxFails = Integer.getInteger("ingress.lost.max-fails", 0);
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TestTokens.withGroups("ops", "video-admin"));

        try (IngressTopology topology = new IngressTopology("lost", 3, Map.of(), maxFails, Duration.ofSeconds(60))) {
            List<String> videos = topology.createVideos("lost", videoCount);
            try (ReconnectingClients clients = new ReconnectingClients(topology.base(), admin, IngressFigures.spread(videos, sockets));
                    PacedChanges changes = new PacedChanges(topology.database()::worker, videos, rate)) {
                await().atMost(Duration.ofSeconds(120)).until(clients::allOpen);
                int onVictim = topology.connections(0);
                // changes flow for a moment before the loss
                long before = changes.committed();
                await().atMost(Duration.ofSeconds(10)).until(() -> changes.committed() >= before + rate);

                long killedAt = clients.now();
                topology.replica(0).kill();
                topology.replica(0).awaitExit(Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(60)).until(() -> clients.clients().stream()
                        .allMatch(c -> c.connected() && c.outages().stream().noneMatch(o -> o[1] < killedAt)
                                && (c.reconnects() == 0 || !c.outages().isEmpty())));
                // changes go on after everybody is back
                long after = changes.committed();
                await().atMost(Duration.ofSeconds(10)).until(() -> changes.committed() >= after + rate);
                long committed = changes.stop();

                Map<String, Long> versions;
                try (WorkerSql worker = topology.database().worker()) {
                    versions = PacedChanges.versions(worker, videos);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> clients.allReached(versions));

                List<Long> returns = new ArrayList<>();
                int failedConnects = 0;
                for (ReconnectingClients.Client c : clients.clients()) {
                    c.outages().stream().filter(o -> o[0] >= killedAt).forEach(o -> returns.add(o[1] - killedAt));
                    failedConnects += c.failedConnects();
                }
                System.out.printf("lost instance through nginx (max_fails=%d): %d sockets, %d changes/s (%d committed);"
                        + " %d sockets on the killed replica, %d came back; all back %d ms after the kill (median %d ms);"
                        + " %d failed connect attempts%n", maxFails, sockets, rate, committed, onVictim, returns.size(),
                        IngressFigures.quantile(returns, 1.0), IngressFigures.quantile(returns, 0.5), failedConnects);
                System.out.print("  returns after the kill (ms):\n" + IngressFigures.render(IngressFigures.histogram(returns, 50), 50, "ms"));

                assertThat(returns).as("the killed replica's clients, each back once").hasSize(onVictim);
                assertThat(failedConnects).as("nginx passes a refused connection on to a live replica").isZero();
                for (ReconnectingClients.Client c : clients.clients()) {
                    assertThat(c.gaps()).as("versions missing for a client of %s", c.videoId).isZero();
                    assertThat(c.duplicates()).as("versions repeated to a client of %s", c.videoId).isZero();
                    assertThat(c.resyncs()).isZero();
                    assertThat(c.reconnects()).isLessThanOrEqualTo(1);
                    assertThat(c.last()).isEqualTo(versions.get(c.videoId));
                }
            }
        }
    }
}
