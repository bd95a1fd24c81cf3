package io.videoevents.bench;

import java.io.*;
import java.util.Arrays;

/**
 * When each status change the workers made was sent and its commit acknowledged, per video and version, and its step;
 * {@code System.nanoTime()} is CLOCK_MONOTONIC, one clock for every process here, so receivers compare with it directly.
 */
final class CommitLog {

    private final long[] baseVersion;
    private final long[][] nanos;
    private final long[][] sent;
    private final byte[][] steps;
    private final int[] count;

    CommitLog(long[] baseVersion) {
        this.baseVersion = baseVersion.clone();
        this.nanos = new long[baseVersion.length][16];
        this.sent = new long[baseVersion.length][16];
        this.steps = new byte[baseVersion.length][16];
        this.count = new int[baseVersion.length];
    }

    int videos() {
        return baseVersion.length;
    }

    /** Records a commit; versions of one video arrive in order (the driver never has two UPDATEs of a video in flight). */
    void committed(int video, long version, long sentNanos, long commitNanos, int step) {
        int index = (int) (version - baseVersion[video] - 1);
        if (index != count[video]) {
            throw new IllegalStateException("video " + video + ": version " + version + " is not the next one; does "
                    + "something else update the benchmark's videos?");
        }
        if (index == nanos[video].length) {
            nanos[video] = Arrays.copyOf(nanos[video], index * 2);
            sent[video] = Arrays.copyOf(sent[video], index * 2);
            steps[video] = Arrays.copyOf(steps[video], index * 2);
        }
        nanos[video][index] = commitNanos;
        sent[video][index] = sentNanos;
        steps[video][index] = (byte) step;
        count[video]++;
    }

    /** The commit time of that version, or -1 when the driver did not make it. */
    long commitNanos(int video, long version) {
        long index = version - baseVersion[video] - 1;
        return index >= 0 && index < count[video] ? nanos[video][(int) index] : -1;
    }

    /** When the UPDATE that made that version was sent (only for versions {@link #commitNanos} knows). */
    long sentNanos(int video, long version) {
        return sent[video][(int) (version - baseVersion[video] - 1)];
    }

    int step(int video, long version) {
        return steps[video][(int) (version - baseVersion[video] - 1)];
    }

    /** The newest version of a video the driver committed (its starting version if none). */
    long lastVersion(int video) {
        return baseVersion[video] + count[video];
    }

    long total() {
        long total = 0;
        for (int c : count) {
            total += c;
        }
        return total;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(baseVersion.length);
        for (int v = 0; v < baseVersion.length; v++) {
            out.writeLong(baseVersion[v]);
            out.writeInt(count[v]);
            for (int i = 0; i < count[v]; i++) {
                out.writeLong(nanos[v][i]);
                out.writeLong(sent[v][i]);
                out.writeByte(steps[v][i]);
            }
        }
    }

    static CommitLog read(DataInputStream in) throws IOException {
        int videos = in.readInt();
        long[] base = new long[videos];
        long[][] nanos = new long[videos][];
        long[][] sent = new long[videos][];
        byte[][] steps = new byte[videos][];
        int[] count = new int[videos];
        for (int v = 0; v < videos; v++) {
            base[v] = in.readLong();
            count[v] = in.readInt();
            nanos[v] = new long[Math.max(16, count[v])];
            sent[v] = new long[Math.max(16, count[v])];
            steps[v] = new byte[Math.max(16, count[v])];
            for (int i = 0; i < count[v]; i++) {
                nanos[v][i] = in.readLong();
                sent[v][i] = in.readLong();
                steps[v][i] = in.readByte();
            }
        }
        CommitLog log = new CommitLog(base);
        for (int v = 0; v < videos; v++) {
            log.nanos[v] = nanos[v];
            log.sent[v] = sent[v];
            log.steps[v] = steps[v];
            log.count[v] = count[v];
        }
        return log;
    }
}
