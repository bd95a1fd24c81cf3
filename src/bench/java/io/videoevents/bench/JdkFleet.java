package io.videoevents.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sockets on the JDK's own WebSocket client ({@code java.net.http}), as an application would use
 * it without tuning anything for the service: one {@link HttpClient} for all sockets, on an executor
 * of two threads, default buffers and settings, a listener that asks for one message at a time.
 */
final class JdkFleet extends Fleet {

    private final ExecutorService executor;
    private final HttpClient client;

    JdkFleet(URI service, String[] videoIds, int sockets) {
        super(service, videoIds, sockets);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "jdk-ws-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(30)).build();
    }

    @Override
    protected void open(Sock sock) {
        URI uri = URI.create("ws://" + service.getHost() + ":" + service.getPort() + path(sock));
        client.newWebSocketBuilder().buildAsync(uri, new Listener(sock)).whenComplete((ws, failure) -> {
            if (failure != null) {
                failed(sock, failure);
            }
        });
    }

    @Override
    protected void close(Sock sock) {
        Object handle = sock.handle;
        if (handle instanceof WebSocket ws) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((ok, failure) -> {
                if (failure != null) {
                    ws.abort();
                    closed(sock, -1, "aborted");
                }
            });
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final Sock sock;

        Listener(Sock sock) {
            this.sock = sock;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            opened(sock, webSocket);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            if (!last) {
                if (sock.partial == null) {
                    sock.partial = new StringBuilder();
                }
                sock.partial.append(data);
            } else if (sock.partial != null) {
                String whole = sock.partial.append(data).toString();
                sock.partial = null;
                text(sock, whole, now);
            } else {
                text(sock, data.toString(), now);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed(sock, statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed(sock, -1, "error: " + error);
        }
    }

    @Override
    public void close() {
        closeAll(10);
        for (Sock sock : socks) {
            if (sock.handle instanceof WebSocket ws) {
                ws.abort();
            }
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
