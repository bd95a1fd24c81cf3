package io.videoevents.subscription;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * The bytes of a server's WebSocket text frame. Server frames are not masked, so a text frame is the same bytes
 * for every client: a live event is encoded here once and each socket gets a duplicate of the buffer.
 */
public final class TextFrame {

    private static final byte TEXT_FINAL = (byte) 0x81;

    private TextFrame() {
    }

    /** A final text frame of {@code text}, encoded once: header and UTF-8 payload in one buffer. */
    public static ByteBuf encode(ByteBufAllocator allocator, String text) {
        int length = ByteBufUtil.utf8Bytes(text);
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = allocator.directBuffer(header + length);
        frame.writeByte(TEXT_FINAL);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126);
            frame.writeShort(length);
        } else {
            frame.writeByte(127);
            frame.writeLong(length);
        }
        ByteBufUtil.reserveAndWriteUtf8(frame, text, length);
        return frame;
    }
}
