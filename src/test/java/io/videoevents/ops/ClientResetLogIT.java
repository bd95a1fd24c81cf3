package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.videoevents.support.Ids;
import io.videoevents.support.JsonLog;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.ThrowawayDatabase;
import io.videoevents.support.WorkerSql;

/**
 * Clients that abort their connections with a TCP reset, at every stage (before a request is complete, in
 * the instant after the upgrade, on an idle socket, while the service writes to it, in the middle of a REST
 * request), against the packaged application: its log, what an operator reads (JSON, as in production), gets no
 * warning and no error for any of it.
 */
class ClientResetLogIT {

    static final String LOG = "client-resets";
    static final int ROUNDS = 5;
    static final int HANDSHAKE_RESETS = 100;

    @Test
    void resetsAreNoWarningsNorErrors() throws Exception {
        String id = Ids.fresh("reset");
        String token = TestTokens.withGroups("ops", "video-admin");
        try (ThrowawayDatabase db = new ThrowawayDatabase();
                PackagedApp app = PackagedApp.start(LOG, db.settings());
                WorkerSql worker = db.worker()) {
            worker.insertVideo(id);
            int port = app.base().getPort();
            double connectionsBefore = metric(port, "http_server_active_connections");
            int startedAt = PackagedApp.log(LOG).length();

            for (int round = 0; round < ROUNDS; round++) {
                // connected, nothing sent
                reset(connect(port, 0));
                // the request line and part of the headers
                Socket half = connect(port, 0);
                send(half, "GET /events HTTP/1.1\r\nHost: localhost\r\nUpgr");
                reset(half);
                // an open socket, idle
                Socket idle = upgrade(port, "/events", token, 0);
                reset(idle);
                // a socket the service is writing to, with a tiny receive buffer that fills at once
                Socket busy = upgrade(port, "/videos/" + id + "/events?after=0", token, 1024);
                for (int i = 0; i < 50; i++) {
                    worker.setStatus(id, i % 2 == 0 ? "processing" : "pending");
                }
                reset(busy);
                // a REST request whose body never arrives
                Socket rest = connect(port, 0);
                send(rest, "POST /videos HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"rawFilePath\":");
                reset(rest);
            }
            // reset in the instant the upgrade is answered, while the service is still setting the socket up
            for (int i = 0; i < HANDSHAKE_RESETS; i++) {
                reset(upgrade(port, "/events", token, 0));
            }

            // every aborted connection has been seen closed by the HTTP server
            await().atMost(TestSocket.WAIT).until(() -> metric(port, "http_server_active_connections") == connectionsBefore);
            // and none of them stays registered, also those reset before WebSockets Next finished setting them up
            await().atMost(TestSocket.WAIT).untilAsserted(() -> assertThat(metric(port, "video_events_connections"))
                    .as("sockets still registered after %d resets", ROUNDS * 5 + HANDSHAKE_RESETS).isZero());
            // and the service still answers
            try (TestSocket socket = TestSocket.watching(app.base(), id, Map.of("Authorization", "Bearer " + token))) {
                assertThat(socket.snapshot().getLong("version")).isEqualTo(1 + ROUNDS * 50L);
            }

            // the prod profile logs JSON: a level is a field there, and the filter must work on that handler too
            assertThat(JsonLog.records(PackagedApp.log(LOG).substring(0, startedAt))).as("JSON log lines").isNotEmpty();
            List<String> loud = Stream.of(PackagedApp.log(LOG).substring(startedAt).split("\n"))
                    .filter(line -> JsonLog.isWarningOrError(line)
                            || line.contains("Connection reset") || line.contains("Broken pipe"))
                    .toList();
            assertThat(loud).as("log lines at WARN or ERROR, or naming a reset, after %d aborted connections",
                    ROUNDS * 5 + HANDSHAKE_RESETS).isEmpty();
        }
    }

    private static Socket connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("localhost", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** A WebSocket handshake by hand, so the connection can be aborted in ways a client library does not offer. */
    private static Socket upgrade(int port, String path, String token, int receiveBuffer) throws IOException {
        Socket socket = connect(port, receiveBuffer);
        send(socket, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Authorization: Bearer " + token + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return socket;
    }

    /** Closing with a zero linger time sends a TCP reset instead of the orderly goodbye. */
    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /**
     * One sample of the metrics endpoint, read over a connection of its own that is closed right after (a
     * pooling client would keep one open and change the count it reads).
     */
    private static double metric(int port, String series) throws IOException {
        try (Socket socket = connect(port, 0)) {
            send(socket, "GET /q/metrics HTTP/1.0\r\nHost: localhost\r\n\r\n");
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(line -> line.startsWith(series + " ") || line.startsWith(series + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElseThrow(() -> new AssertionError(series + " is not exported"));
        }
    }
}
