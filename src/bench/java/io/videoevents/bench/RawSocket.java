package io.videoevents.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.*;

/**
 * A WebSocket client with the handshake and the framing written out over a plain TCP socket, for the soak's misbehaving
 * clients: it can leave pings unanswered, send frames past the limit and end the connection without a close frame.
 */
final class RawSocket {

    /** What the server did. */
    interface Listener {
        /** The server answered the upgrade with 101. */
        void opened(RawSocket socket);

        /** The server answered the upgrade with something else (its status line), or the connect failed (null). */
        void refused(String statusLine);
        void text(String text);

        /** A {@code status} frame, not decoded: the misbehaving clients only count them. */
        void status();

        /** The server's close frame ({@code code} -1 when it had none). */
        void closeFrame(int code, String reason);

        /** The TCP connection is gone, however it ended. */
        void ended();
    }

    private static final int TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;
    private static final byte[] STATUS = "{\"type\":\"status\"".getBytes(StandardCharsets.US_ASCII);
    private final NetSocket tcp;
    private final Listener listener;
    private boolean answerPings = true;
    private boolean upgraded;
    private Buffer pending = Buffer.buffer();
    private boolean ended;
    private boolean closeSent;

    private RawSocket(NetSocket tcp, Listener listener) {
        this.tcp = tcp;
        this.listener = listener;
    }

    /** Connects and sends the upgrade request for {@code path}; the listener hears how it went. */
    static void connect(NetClient client, String host, int port, String path, Listener listener) {
        client.connect(port, host).onComplete(result -> {
            if (result.failed()) {
                listener.refused(null);
                return;
            }
            RawSocket socket = new RawSocket(result.result(), listener);
            socket.tcp.handler(socket::received);
            socket.tcp.closeHandler(ignored -> {
                if (!socket.ended) {
                    socket.ended = true;
                    listener.ended();
                }
            });
            socket.tcp.exceptionHandler(ignored -> {
                // a reset by the server; the close handler follows
            });
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            socket.tcp.write("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
        });
    }

    /** Whether pings are answered (on by default, as every library does). */
    void answerPings(boolean answer) {
        this.answerPings = answer;
    }

    void text(String text) {
        frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    void binary(byte[] payload) {
        frame(BINARY, payload);
    }

    /** Sends a close frame with {@code code} (once); the server answers with its own and drops the connection. */
    void close(int code) {
        if (!closeSent) {
            closeSent = true;
            frame(CLOSE, new byte[] { (byte) (code >> 8), (byte) code });
        }
    }

    /** Stops reading: what the server sends piles up in the kernel's buffers, then in the server's queue. */
    void pause() {
        tcp.pause();
    }

    void resume() {
        tcp.resume();
    }

    /** Ends the TCP connection without a close frame: a reset when the client was made with SO_LINGER 0, else a FIN. */
    void drop() {
        tcp.close();
    }

    /** One frame, masked as a client must: FIN set, no extensions. */
    void frame(int opcode, byte[] payload) {
        if (ended) {
            return;
        }
        int n = payload.length;
        Buffer out = Buffer.buffer(n + 14).appendByte((byte) (0x80 | opcode));
        if (n < 126) {
            out.appendByte((byte) (0x80 | n));
        } else if (n < 65536) {
            out.appendByte((byte) (0x80 | 126)).appendShort((short) n);
        } else {
            out.appendByte((byte) (0x80 | 127)).appendLong(n);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.appendBytes(mask);
        byte[] masked = new byte[n];
        for (int i = 0; i < n; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        tcp.write(out.appendBytes(masked));
    }

    private void received(Buffer data) {
        pending = pending.length() == 0 ? data.copy() : pending.appendBuffer(data);
        if (!upgraded) {
            String head = pending.toString(StandardCharsets.ISO_8859_1);
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            String statusLine = head.substring(0, Math.max(0, head.indexOf("\r\n")));
            if (!statusLine.contains(" 101 ")) {
                listener.refused(statusLine);
                tcp.close();
                return;
            }
            upgraded = true;
            pending = pending.getBuffer(end + 4, pending.length());
            listener.opened(this);
        }
        // the server's frames are unmasked; its messages are small enough to come in one frame each
        int at = 0;
        while (!ended && pending.length() - at >= 2) {
            int available = pending.length() - at;
            int opcode = pending.getUnsignedByte(at) & 0x0f;
            long length = pending.getUnsignedByte(at + 1) & 0x7f;
            int header = length == 126 ? 4 : length == 127 ? 10 : 2;
            if (available < header) {
                break;
            }
            length = length == 126 ? pending.getUnsignedShort(at + 2) : length == 127 ? pending.getLong(at + 2) : length;
            if (available < header + length) {
                break;
            }
            byte[] payload = pending.getBytes(at + header, at + header + (int) length);
            at += header + (int) length;
            switch (opcode) {
                case PING -> {
                    if (answerPings) {
                        frame(PONG, payload);
                    }
                }
                case CLOSE -> listener.closeFrame(payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1,
                        payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "");
                case TEXT -> {
                    if (java.util.Arrays.equals(payload, 0, Math.min(payload.length, STATUS.length), STATUS, 0, STATUS.length)) {
                        listener.status();
                    } else {
                        listener.text(new String(payload, StandardCharsets.UTF_8));
                    }
                }
                default -> {
                }
            }
        }
        pending = at == pending.length() ? Buffer.buffer() : pending.getBuffer(at, pending.length());
    }
}
