package io.videoevents.bench;

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
}
