package io.videoevents.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.videoevents.support.IngressFigures;
import io.videoevents.support.IngressTopology;
import io.videoevents.support.PacedChanges;
import io.videoevents.support.ReconnectingClients;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;

/**
 * A rolling restart behind nginx: clients on one-video sockets through nginx (round robin over 3 replicas
 * of the packaged jar, no sticky sessions) while a worker commits status changes at a steady rate; the
 * replicas are restarted one after another (SIGTERM, the next only once the restarted one is ready).
 *
 * <p>Run with nginx marking a failed replica down for a while ({@code max_fails=1}, plain nginx's default)
 * and never ({@code max_fails=0}, as ingress-nginx balances): the drain must be safe behind both. At the
 * end every client holds every version of its video since its first snapshot exactly once, in order, and
 * no client reconnected more than twice for any one restarted replica.
 *
 * <p>Sizes: {@code ingress.sockets}, {@code ingress.videos}, {@code ingress.rate}, {@code ingress.drain-window}
 * ({@code src/bench/ingress.sh} runs it at full size).
 */
class RollingRestartIT {

    @ParameterizedTest(name = "max_fails={0}")
    @ValueSource(ints = { 1, 0 })
    void everyClientKeepsEveryVersionThroughARollingRestart(int maxFails) {
        if (!System.getProperty("ingress.max-fails", "0,1").contains(String.valueOf(maxFails))) {
            return;
        }
        int sockets = IngressFigures.sockets(300);
        int videoCount = IngressFigures.videos(100);
        int rate = IngressFigures.rate(50);
        Duration drainWindow = IngressFigures.drainWindow(4);
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TestTokens.withGroups("ops", "video-admin"));
        Map<String, String> settings = Map.of("video-events.shutdown.drain-window", drainWindow.toSeconds() + "s");

        try (IngressTopology topology = new IngressTopology("rolling-" + maxFails, 3, settings, maxFails, Duration.ofSeconds(60))) {
            List<String> videos = topology.createVideos("rolling", videoCount);
            try (ReconnectingClients clients = new ReconnectingClients(topology.base(), admin, IngressFigures.spread(videos, sockets));
                    PacedChanges changes = new PacedChanges(topology.database()::worker, videos, rate)) {
                await().atMost(Duration.ofSeconds(120)).until(clients::allOpen);
                for (int i = 0; i < topology.size(); i++) {
                    System.out.printf("rolling restart: replica %d holds %d sockets%n", i, topology.connections(i));
                }

                int replicas = topology.size();
                long[] termAt = new long[replicas];
                long[] readyAt = new long[replicas];
                for (int i = 0; i < replicas; i++) {
                    termAt[i] = clients.now();
                    topology.replica(i).terminate();
                    topology.replica(i).awaitExit(Duration.ofSeconds(40));
                    topology.startAgain(i);
                    readyAt[i] = clients.now();
                    // every displaced client is back before the next replica goes
                    await().atMost(Duration.ofSeconds(60)).until(() -> clients.clients().stream().allMatch(ReconnectingClients.Client::connected));
                }
                long committed = changes.stop();

                Map<String, Long> versions;
                try (WorkerSql worker = topology.database().worker()) {
                    versions = PacedChanges.versions(worker, videos);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> clients.allReached(versions));

                report(maxFails, sockets, rate, committed, drainWindow, clients, termAt, readyAt, topology);

                assertThat(topology.nginx().errorLogCount("no live upstreams")).as("nginx never ran out of replicas").isZero();
                for (ReconnectingClients.Client c : clients.clients()) {
                    assertThat(c.gaps()).as("versions missing for a client of %s", c.videoId).isZero();
                    assertThat(c.duplicates()).as("versions repeated to a client of %s", c.videoId).isZero();
                    assertThat(c.resyncs()).isZero();
                    assertThat(c.finalCloses()).isZero();
                    assertThat(c.last()).isEqualTo(versions.get(c.videoId));
                    for (int i = 0; i < replicas; i++) {
                        long from = termAt[i];
                        long to = i + 1 < replicas ? termAt[i + 1] : Long.MAX_VALUE;
                        long inWave = c.outages().stream().filter(o -> o[0] >= from && o[0] < to).count();
                        assertThat(inWave).as("reconnects of one client for the restart of replica %d", i).isLessThanOrEqualTo(2);
                    }
                }
            }
        }
    }

    private static void report(int maxFails, int sockets, int rate, long committed, Duration drainWindow,
            ReconnectingClients clients, long[] termAt, long[] readyAt, IngressTopology topology) {
        System.out.printf("rolling restart through nginx (max_fails=%d): %d sockets, %d changes/s (%d committed), drain window %s%n",
                maxFails, sockets, rate, committed, drainWindow);
        int replicas = termAt.length;
        for (int i = 0; i < replicas; i++) {
            long from = termAt[i];
            long to = i + 1 < replicas ? termAt[i + 1] : Long.MAX_VALUE;
            List<Long> back = new ArrayList<>();
            List<Long> opens = new ArrayList<>();
            for (ReconnectingClients.Client c : clients.clients()) {
                c.outages().stream().filter(o -> o[0] >= from && o[0] < to).forEach(o -> back.add(o[1] - from));
                c.opens().stream().filter(t -> t >= from && t < to).forEach(t -> opens.add(t - from));
            }
            int peak = IngressFigures.histogram(opens, 1000).values().stream().mapToInt(Integer::intValue).max().orElse(0);
            System.out.printf("  wave %d: %d reconnects; all back %.1f s after SIGTERM (median %.1f s); ready again after %.1f s;"
                    + " peak %d connects/s on the survivors%n", i, back.size(), IngressFigures.quantile(back, 1.0) / 1000.0,
                    IngressFigures.quantile(back, 0.5) / 1000.0, (readyAt[i] - termAt[i]) / 1000.0, peak);
        }
        Map<Long, Integer> perClient = IngressFigures.histogram(
                clients.clients().stream().map(c -> (long) c.reconnects()).toList(), 1);
        System.out.printf("  reconnects per client over %d restarts: %s (count: clients)%n", replicas, perClient);
        System.out.printf("  failed connect attempts: %d; nginx: %d \"no live upstreams\", %d upstream connections refused%n",
                clients.clients().stream().mapToInt(ReconnectingClients.Client::failedConnects).sum(),
                topology.nginx().errorLogCount("no live upstreams"), topology.nginx().errorLogCount("Connection refused"));
    }
}
