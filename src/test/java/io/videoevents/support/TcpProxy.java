package io.videoevents.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A loopback TCP proxy a test controls. {@link #cut()} makes it stop forwarding in both directions
 * without closing anything — the peer sees a network that went silent, not a closed connection —
 * and {@link #restore()} lets the traffic flow again.
 */
public final class TcpProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
    private final NetServer server;
    private final int targetPort;
    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        this.server = vertx.createNetServer().connectHandler(this::accept);
        join(server.listen(0, "127.0.0.1"));
    }

    public int port() {
        return server.actualPort();
    }

    /** From now on nothing passes, and nothing is closed. */
    public void cut() {
        cut = true;
        pipes.forEach(Pipe::pause);
    }

    /** Traffic flows again, including what was held back. */
    public void restore() {
        cut = false;
        pipes.forEach(Pipe::resume);
    }

    private void accept(NetSocket downstream) {
        downstream.pause();
        client.connect(targetPort, "127.0.0.1").onComplete(result -> {
            if (result.failed()) {
                downstream.close();
                return;
            }
            Pipe pipe = new Pipe(downstream, result.result());
            pipes.add(pipe);
            if (!cut) {
                pipe.resume();
            }
        });
    }

    @Override
    public void close() {
        join(server.close());
        join(vertx.close());
    }

    private static <T> T join(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Pipe {
        private final NetSocket down;
        private final NetSocket up;

        Pipe(NetSocket down, NetSocket up) {
            this.down = down;
            this.up = up;
            down.handler(up::write);
            up.handler(down::write);
            down.closeHandler(v -> {
                up.close();
                pipes.remove(this);
            });
            up.closeHandler(v -> down.close());
        }

        void pause() {
            down.pause();
            up.pause();
        }

        void resume() {
            down.resume();
            up.resume();
        }
    }
}
