package io.videoevents.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.*;

/**
 * A WebSocket client with the handshake and the framing written out over a plain TCP socket, for the soak's misbehaving
 * clients.
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

        /** Whether {@code status} frames are decoded and handed to {@link #text} instead of counted. */
        default boolean statusAsText() {
            return false;
        }

        /** The server's close frame ({@code code} -1 when it had none). */
        void closeFrame(int code, String reason);

        /** The TCP connection is gone, however it ended. */
        void ended();
    }

    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;
    private static final byte[] STATUS = "{\"type\":\"status\"".getBytes(StandardCharsets.US_ASCII);

    private final NetSocket tcp;
    private final Listener listener;
    private boolean answerPings = true;
    private boolean upgraded;
    private Buffer pending = Buffer.buffer();
    private Buffer fragments;
    private int fragmentsOpcode;
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
            socket.start(host, port, path);
        });
    }

    private void start(String host, int port, String path) {
        tcp.handler(this::received);
        tcp.closeHandler(ignored -> {
            if (!ended) {
                ended = true;
                listener.ended();
            }
        });
        tcp.exceptionHandler(ignored -> {
            // a reset by the server; the close handler follows
        });
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        tcp.write("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    }

    /** Whether pings are answered (on by default, as every library does). */
    void answerPings(boolean answer) {
        this.answerPings = answer;
    }

    boolean isEnded() {
        return ended;
    }

    void text(String text) {
        frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    void binary(byte[] payload) {
        frame(BINARY, payload);
    }

    /** Sends a close frame with {@code code} (once); the server answers with its own and drops the connection. */
    void close(int code) {
        if (closeSent) {
            return;
        }
        closeSent = true;
        frame(CLOSE, new byte[] { (byte) (code >> 8), (byte) code });
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
        Buffer out = Buffer.buffer(n + 14);
        out.appendByte((byte) (0x80 | opcode));
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
        out.appendBytes(masked);
        tcp.write(out);
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
        int at = 0;
        while (!ended) {
            int available = pending.length() - at;
            if (available < 2) {
                break;
            }
            int b0 = pending.getUnsignedByte(at);
            int b1 = pending.getUnsignedByte(at + 1);
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (available < 4) {
                    break;
                }
                length = pending.getUnsignedShort(at + 2);
                header = 4;
            } else if (length == 127) {
                if (available < 10) {
                    break;
                }
                length = pending.getLong(at + 2);
                header = 10;
            }
            int maskAt = at + header;
            if (masked) {
                header += 4;
            }
            if (available < header + length) {
                break;
            }
            byte[] payload = pending.getBytes(at + header, at + header + (int) length);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= pending.getByte(maskAt + (i & 3));
                }
            }
            at += header + (int) length;
            frameReceived((b0 & 0x80) != 0, b0 & 0x0f, payload);
        }
        pending = at == pending.length() ? Buffer.buffer() : pending.getBuffer(at, pending.length());
    }

    private void frameReceived(boolean fin, int opcode, byte[] payload) {
        switch (opcode) {
            case PING -> {
                if (answerPings) {
                    frame(PONG, payload);
                }
            }
            case PONG -> {
            }
            case CLOSE -> {
                int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
                String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                listener.closeFrame(code, reason);
            }
            case 0, TEXT, BINARY -> {
                if (!fin || opcode == 0) {
                    if (opcode != 0) {
                        fragments = Buffer.buffer();
                        fragmentsOpcode = opcode;
                    }
                    if (fragments != null) {
                        fragments.appendBytes(payload);
                    }
                    if (!fin || fragments == null) {
                        return;
                    }
                    payload = fragments.getBytes();
                    opcode = fragmentsOpcode;
                    fragments = null;
                }
                if (opcode == TEXT) {
                    if (!listener.statusAsText()
                            && java.util.Arrays.equals(payload, 0, Math.min(payload.length, STATUS.length), STATUS, 0, STATUS.length)) {
                        listener.status();
                    } else {
                        listener.text(new String(payload, StandardCharsets.UTF_8));
                    }
                }
            }
            default -> {
            }
        }
    }
}
