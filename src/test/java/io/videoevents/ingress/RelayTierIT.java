package io.videoevents.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.videoevents.ops.ObservabilitySeriesTest;
import io.videoevents.support.IngressFigures;
import io.videoevents.support.IngressTopology;
import io.videoevents.support.NatsServer;
import io.videoevents.support.PacedChanges;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.ReconnectingClients;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;

/**
 * The relay tier as it is deployed (docs/scaling.md): nats-server, 2 relays of the packaged jar (LISTEN, publish to
 * NATS), 3 replicas in nats mode (no LISTEN connection) behind nginx, clients through nginx that reconnect and resume,
 * and a worker committing 200 status changes per second. In turn: a relay is killed (the replicas notice its silence,
 * stay ready on the other one, and hear it again once it is back); NATS is killed and started again (every replica
 * turns not ready, then reads what it missed from the log; some videos change only during that outage, so only that
 * read can bring their change to their clients); a replica is killed with {@code kill -9} (its clients resume on the
 * others). At the end every client holds every version of its video once, in order.
 *
 * <p>Sizes: {@code ingress.sockets}, {@code ingress.videos}, {@code ingress.rate}.
 */
class RelayTierIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void nothingIsLostDuplicatedOrReorderedWhenARelayNatsAndAReplicaFail() {
        int sockets = IngressFigures.sockets(300);
        int videoCount = IngressFigures.videos(100);
        int rate = IngressFigures.rate(200);
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TestTokens.withGroups("ops", "video-admin"));

        try (NatsServer nats = NatsServer.start("relay-tier")) {
            Map<String, String> replica = Map.of(
                    "video-events.fanout.mode", "nats",
                    "video-events.fanout.nats.url", nats.url(),
                    "video-events.fanout.nats.heartbeat-interval", "200ms",
                    "video-events.fanout.nats.heartbeat-misses", "3",
                    "video-events.fanout.nats.reconnect-wait", "100ms");
            Map<String, String> relay = new HashMap<>(replica);
            relay.put("video-events.fanout.role", "relay");

            try (IngressTopology topology = new IngressTopology("relay-tier", 2, relay, 3, replica, 0, Duration.ofSeconds(60))) {
                List<String> videos = topology.createVideos("tier", videoCount);
                // changed once, and only while NATS is down
                List<String> quiet = topology.createVideos("tier-quiet", 10);
                List<String> watched = new ArrayList<>(IngressFigures.spread(videos, sockets));
                watched.addAll(quiet);
                watched.addAll(quiet);
                List<String> all = new ArrayList<>(videos);
                all.addAll(quiet);

                try (ReconnectingClients clients = new ReconnectingClients(topology.base(), admin, watched);
                        PacedChanges changes = new PacedChanges(topology.database()::worker, videos, rate)) {
                    await().atMost(Duration.ofSeconds(120)).until(clients::allOpen);
                    await().atMost(WAIT).until(() -> everyReplica(topology, r -> relaysHeard(r) == 2));
                    // what the alert rules read in this mode, exported by the role each belongs to
                    ObservabilitySeriesTest.NATS_MODE.forEach((series, role) -> assertThat(IngressTopology.metricNames(
                            role.equals("relay") ? topology.relay(1) : topology.replica(1))).as("%s on a %s", series, role).contains(series));
                    flowFor(changes, rate);

                    // 1. a relay dies: noticed by its silence, survived on the other
                    long relayKilledAt = clients.now();
                    topology.relay(0).kill();
                    topology.relay(0).awaitExit(Duration.ofSeconds(10));
                    await().atMost(WAIT).until(() -> everyReplica(topology, r -> relaysHeard(r) == 1));
                    long silenceNoticed = clients.now() - relayKilledAt;
                    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                            .until(() -> everyReplica(topology, r -> r.readyStatus() == 200));
                    flowFor(changes, rate);
                    topology.startRelayAgain(0);
                    await().atMost(WAIT).until(() -> everyReplica(topology, r -> relaysHeard(r) == 2));

                    // 2. NATS dies and comes back: readiness down, then a read of the log for every subscriber
                    double[] repairs = new double[topology.size()];
                    for (int i = 0; i < repairs.length; i++) {
                        repairs[i] = IngressTopology.metric(topology.replica(i), "video_events_listener_reconnects_total", -1);
                    }
                    long natsKilledAt = clients.now();
                    nats.kill();
                    await().atMost(WAIT).until(() -> everyReplica(topology, r -> r.readyStatus() == 503));
                    try (WorkerSql worker = topology.database().worker()) {
                        quiet.forEach(id -> worker.setStatus(id, "processing"));
                    }
                    nats.startAgain();
                    await().atMost(WAIT).until(() -> everyReplica(topology, r -> r.readyStatus() == 200));
                    long natsBackAfter = clients.now() - natsKilledAt;
                    for (int i = 0; i < repairs.length; i++) {
                        assertThat(IngressTopology.metric(topology.replica(i), "video_events_listener_reconnects_total", -1))
                                .as("replica %d read the log after NATS came back", i).isGreaterThan(repairs[i]);
                    }
                    flowFor(changes, rate);

                    // 3. a replica dies under load: its clients resume on the others through nginx
                    topology.replica(0).kill();
                    topology.replica(0).awaitExit(Duration.ofSeconds(10));
                    await().atMost(Duration.ofSeconds(60)).until(() -> clients.clients().stream().allMatch(ReconnectingClients.Client::connected));
                    flowFor(changes, rate);
                    long committed = changes.stop();

                    Map<String, Long> versions;
                    try (WorkerSql worker = topology.database().worker()) {
                        versions = PacedChanges.versions(worker, all);
                    }
                    await().atMost(Duration.ofSeconds(60)).until(() -> clients.allReached(versions));

                    int reconnects = clients.clients().stream().mapToInt(ReconnectingClients.Client::reconnects).sum();
                    System.out.printf("relay tier through nginx: 2 relays, 3 replicas, %d sockets, %d changes/s (%d committed);"
                            + " a killed relay's silence noticed by every replica after %d ms; NATS killed and every replica"
                            + " ready again %d ms later; %d client reconnects after the replica's kill%n",
                            watched.size(), rate, committed, silenceNoticed, natsBackAfter, reconnects);
                    for (ReconnectingClients.Client c : clients.clients()) {
                        assertThat(c.gaps()).as("versions missing for a client of %s", c.videoId).isZero();
                        assertThat(c.duplicates()).as("versions repeated to a client of %s", c.videoId).isZero();
                        assertThat(c.resyncs()).isZero();
                        assertThat(c.finalCloses()).isZero();
                        assertThat(c.last()).isEqualTo(versions.get(c.videoId));
                    }
                    assertThat(quiet).allSatisfy(id -> assertThat(versions.get(id)).isEqualTo(2));
                }
            }
        }
    }

    /** Lets the worker commit about one more second of changes. */
    private static void flowFor(PacedChanges changes, int rate) {
        long from = changes.committed();
        await().atMost(Duration.ofSeconds(20)).until(() -> changes.committed() >= from + rate);
    }

    /** Relays a replica hears with their LISTEN up; -1 if it does not answer. */
    private static double relaysHeard(PackagedApp replica) {
        return IngressTopology.metric(replica, "video_events_relays_listening", -1);
    }

    /** Every live replica (one may have been killed on purpose) satisfies the condition. */
    private static boolean everyReplica(IngressTopology topology, java.util.function.Predicate<PackagedApp> condition) {
        for (int i = 0; i < topology.size(); i++) {
            PackagedApp replica = topology.replica(i);
            if (replica.isAlive() && !condition.test(replica)) {
                return false;
            }
        }
        return true;
    }
}
