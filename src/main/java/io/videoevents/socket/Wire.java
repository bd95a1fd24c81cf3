package io.videoevents.socket;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateHandler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.impl.WebSocketInternal;

/**
 * Writes server frames straight to a socket's Netty channel, as bytes encoded once.
 *
 * <p>Server frames are not masked, so a text frame is the same bytes for every client: a live event is
 * encoded into one buffer ({@link io.videoevents.subscription.TextFrame}) and each socket gets a duplicate of it, with no
 * per-socket encoding, frame object, future or callback. The bytes pass the WebSocket encoders untouched
 * (they only act on frame objects) and leave in the order written, before anything Vert.x writes later on
 * the same channel (pings, the close frame), since every write happens on the socket's event loop.
 *
 * <p>What is waiting for the network is read from Netty's outbound buffer (bytes and entries), which is
 * the socket's outgoing queue: no counting per frame.
 */
@RegisterForReflection(classNames = { "io.quarkus.websockets.next.runtime.WebSocketConnectionBase",
        "io.quarkus.websockets.next.runtime.WebSocketConnectionImpl", "io.vertx.ext.web.impl.ServerWebSocketWrapper" },
        methods = true, fields = true)
final class Wire {

    /** {@code WebSocketConnectionBase.webSocket()} is package-private in WebSockets Next: reached once, here. */
    private static final MethodHandle WEB_SOCKET = webSocketAccessor();

    /**
     * A ping with no payload: two bytes, written into a buffer of the channel's own allocator each time. No buffer is
     * kept in a static field: a native image initialises this class while it is built, and a direct buffer made
     * then would be a pointer into the builder's memory frozen into the executable.
     */
    private static final short PING = (short) 0x8900;

    private final WebSocketBase webSocket;
    private final ChannelHandlerContext context;

    private Wire(WebSocketBase webSocket, ChannelHandlerContext context) {
        this.webSocket = webSocket;
        this.context = context;
        // The HTTP server's idle timeout has no use on a socket, whose liveness is the ping/pong rule, and its
        // handler costs a timer per socket and a promise per frame written.
        if (context.pipeline().get(IdleStateHandler.class) != null) {
            context.pipeline().remove(IdleStateHandler.class);
        }
    }

    /** The wire of a socket. */
    static Wire of(WebSocketConnection connection) {
        if (WEB_SOCKET == null) {
            throw new IllegalStateException("the WebSocket of a WebSockets Next connection cannot be reached");
        }
        Object webSocket;
        try {
            webSocket = WEB_SOCKET.invoke(connection);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot reach the WebSocket of connection " + connection.id(), e);
        }
        WebSocketInternal internal = unwrap(webSocket);
        return new Wire(internal, internal.channelHandlerContext());
    }

    /** Vert.x Web wraps the server WebSocket (ServerWebSocketWrapper, field {@code delegate}); the channel is the inner one's. */
    private static WebSocketInternal unwrap(Object webSocket) {
        Object candidate = webSocket;
        for (int depth = 0; depth < 4 && candidate != null; depth++) {
            if (candidate instanceof WebSocketInternal internal) {
                return internal;
            }
            try {
                candidate = DELEGATE.get(candidate.getClass()).invoke(candidate);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot unwrap " + candidate.getClass().getName(), e);
            }
        }
        throw new IllegalStateException("no Vert.x WebSocket inside " + webSocket.getClass().getName());
    }

    /** Per wrapper class: the getter of its {@code delegate} field. */
    private static final ClassValue<MethodHandle> DELEGATE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    var field = c.getDeclaredField("delegate");
                    field.setAccessible(true);
                    return MethodHandles.lookup().unreflectGetter(field).asType(MethodType.methodType(Object.class, Object.class));
                } catch (NoSuchFieldException e) {
                    // look further up
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("cannot read the delegate of " + type.getName(), e);
                }
            }
            throw new IllegalStateException(type.getName() + " wraps no delegate");
        }
    };

    private static MethodHandle webSocketAccessor() {
        try {
            Class<?> base = Class.forName("io.quarkus.websockets.next.runtime.WebSocketConnectionBase");
            var method = base.getDeclaredMethod("webSocket");
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method).asType(MethodType.methodType(Object.class, WebSocketConnection.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.errorf(e, "cannot reach WebSockets Next's WebSocket; sockets cannot be written");
            return null;
        }
    }

    /** Vert.x's WebSocket under the connection. */
    WebSocketBase webSocket() {
        return webSocket;
    }

    ByteBufAllocator allocator() {
        return context.alloc();
    }

    /** False once a close frame was sent or received: no data frame may follow it. */
    boolean open() {
        return !webSocket.isClosed();
    }

    /** Queues a frame (consumed: its reference passes to Netty); leaves it unflushed. */
    void write(ByteBuf frame) {
        context.write(frame, context.voidPromise());
    }

    void writeAndFlush(ByteBuf frame) {
        context.writeAndFlush(frame, context.voidPromise());
    }

    void flush() {
        context.flush();
    }

    /** Writes and flushes a ping; the peer answers with a pong. */
    void ping() {
        context.writeAndFlush(context.alloc().buffer(2).writeShort(PING), context.voidPromise());
    }

    /** Runs {@code then} once everything written so far has been taken by the network (or the channel failed). */
    void afterPending(Runnable then) {
        ChannelPromise marker = context.newPromise();
        marker.addListener(ignored -> then.run());
        context.writeAndFlush(Unpooled.EMPTY_BUFFER, marker);
    }

    /** Runs {@code then} once the connection is closed, whoever closed it and however. */
    void whenClosed(Runnable then) {
        context.channel().closeFuture().addListener(ignored -> then.run());
    }

    /** Bytes written and not yet taken by the network. */
    long pendingBytes() {
        ChannelOutboundBuffer buffer = context.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** Flushed frames not yet taken by the network. */
    int pendingFrames() {
        ChannelOutboundBuffer buffer = context.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.size();
    }
}
