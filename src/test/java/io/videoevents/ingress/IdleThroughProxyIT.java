package io.videoevents.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.videoevents.support.IngressFigures;
import io.videoevents.support.IngressTopology;
import io.videoevents.support.TcpProxy;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;

/**
 * Quiet sockets through nginx. nginx closes a proxied connection on which the upstream sent nothing for
 * {@code proxy_read_timeout}; the service's pings are what keep a socket without events open. Sockets that
 * carry no event for several read timeouts stay open, and a client whose network silently dies (a proxy
 * in front of nginx that stops forwarding and closes nothing) is closed by the server, which frees its
 * socket on the replica and its connection through nginx.
 *
 * <p>To run in seconds, the test shortens nginx's read timeout (3 s instead of ingress-nginx's 60 s) and
 * the service's ping interval (1 s instead of 25 s) and pong timeout (4 s instead of 60 s), keeping their
 * order. {@code src/bench/ingress.sh} runs it with the shipped values: {@code ingress.idle.read-timeout},
 * {@code ingress.idle.ping-interval}, {@code ingress.idle.pong-timeout}, {@code ingress.idle.duration} (seconds),
 * {@code ingress.idle.sockets}.
 */
class IdleThroughProxyIT {

    @Test
    void quietSocketsStayOpenPastTheReadTimeoutAndADeadClientIsClosed() {
        Duration readTimeout = IngressFigures.seconds("ingress.idle.read-timeout", 3);
        Duration ping = IngressFigures.seconds("ingress.idle.ping-interval", 1);
        Duration pongTimeout = IngressFigures.seconds("ingress.idle.pong-timeout", 4);
        Duration quiet = IngressFigures.seconds("ingress.idle.duration", 12);
        int count = Integer.getInteger("ingress.idle.sockets", 50);
        assertThat(quiet).as("the quiet time covers several read timeouts").isGreaterThan(readTimeout.multipliedBy(2));
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TestTokens.withGroups("ops", "video-admin"));
        Map<String, String> settings = Map.of("video-events.socket.ping-interval", ping.toSeconds() + "s",
                "video-events.socket.pong-timeout", pongTimeout.toSeconds() + "s");

        List<TestSocket> sockets = new ArrayList<>();
        try (IngressTopology topology = new IngressTopology("idle", 1, settings, 0, readTimeout)) {
            String id = topology.createVideos("idle", 1).get(0);
            for (int i = 0; i < count; i++) {
                sockets.add(TestSocket.watching(topology.base(), id, admin));
            }
            long openedAt = System.nanoTime();
            await().during(quiet).atMost(quiet.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> sockets.stream().noneMatch(TestSocket::isClosed));
            assertThat(topology.connections(0)).isEqualTo(count);
            System.out.printf("idle through nginx: %d sockets without events open for %d s through a %d s read timeout"
                    + " (pings every %d s)%n", count, (System.nanoTime() - openedAt) / 1_000_000_000L, readTimeout.toSeconds(),
                    ping.toSeconds());

            try (TcpProxy network = new TcpProxy(topology.nginx().port())) {
                TestSocket silent = TestSocket.watching(URI.create("http://127.0.0.1:" + network.port() + "/"), id, admin);
                sockets.add(silent);
                await().atMost(Duration.ofSeconds(10)).until(() -> topology.connections(0) == count + 1);
                long cutAt = System.nanoTime();
                network.cut();
                // the replica gives up on it after the pong timeout, and only on it
                await().atMost(pongTimeout.plus(ping).plusSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> topology.connections(0) == count);
                long closedAfter = (System.nanoTime() - cutAt) / 1_000_000;
                assertThat(closedAfter).as("not before the pong timeout").isGreaterThanOrEqualTo(pongTimeout.toMillis() - 1000);
                network.restore();
                // what the server and nginx sent before closing reaches the client once its network is back: it is closed
                await().atMost(Duration.ofSeconds(10)).until(silent::isClosed);
                System.out.printf("idle through nginx: a client whose network went silent was closed %d ms later (pong timeout %d s),"
                        + " close code %d%n", closedAfter, pongTimeout.toSeconds(), silent.awaitClose());
                assertThat(sockets.subList(0, count)).noneMatch(TestSocket::isClosed);
            }
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }
}
