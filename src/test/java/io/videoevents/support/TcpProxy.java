package io.videoevents.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A loopback TCP proxy a test controls. {@link #cut()} makes it stop forwarding in both directions
 * without closing anything — the peer sees a network that went silent, not a closed connection —
 * and {@link #restore()} lets the traffic flow again. {@link #retarget(int)} moves it to another
 * server and ends the connections it carries, as a re-pointed Kubernetes Service does.
 */
public final class TcpProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
    private final NetServer server;
    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
    /** Counts retargets, so a connection that was being set up towards the old target is ended too. */
    private final AtomicLong generation = new AtomicLong();
    private volatile int targetPort;
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

    public int targetPort() {
        return targetPort;
    }

    /**
     * New connections go to {@code port} from now on; every connection open now is closed on both sides
     * before this returns (what was held back by {@link #cut()} is never delivered).
     */
    public void retarget(int port) {
        targetPort = port;
        generation.incrementAndGet();
        dropConnections();
    }

    /** Closes every connection open now, on both sides; the proxy keeps accepting new ones. */
    public void dropConnections() {
        for (Pipe pipe : pipes) {
            pipe.close();
        }
    }

    /** Connections being forwarded now. */
    public int connections() {
        return pipes.size();
    }

    private void accept(NetSocket downstream) {
        downstream.pause();
        long acceptedIn = generation.get();
        client.connect(targetPort, "127.0.0.1").onComplete(result -> {
            if (result.failed()) {
                downstream.close();
                return;
            }
            Pipe pipe = new Pipe(downstream, result.result());
            pipes.add(pipe);
            // checked after joining the list: a retarget either saw this pipe or moved the generation first
            if (generation.get() != acceptedIn) {
                pipe.closeLater();
                return;
            }
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

        /** From a test's thread: returns when both sides are closed. */
        void close() {
            pipes.remove(this);
            // a side its peer closed already has nothing left to do
            join(down.close().otherwiseEmpty());
            join(up.close().otherwiseEmpty());
        }

        /** From the proxy's event loop, which must not wait for itself. */
        void closeLater() {
            pipes.remove(this);
            down.close();
            up.close();
        }
    }
}
