package io.videoevents.relay;

/**
 * The signatures of the status notifications a replica in {@code nats} mode has just passed on, so that the copy
 * the other relay publishes of the same change is dropped before it is checked again and before any consumer
 * sees it: the stream then holds each change once, as a LISTEN connection delivers it. A signature names exactly
 * one row of the log for good and cannot be made without the key, so it is a safe identity; a doorbell has none
 * and is never dropped here (the same bytes can be two real deletions).
 *
 * <p>A direct-mapped table of the signatures' first 64 bits: no allocation, and a slot taken by another change
 * before the copy arrives only lets the copy through, where the subscriptions' own rule drops it. Only
 * signatures that verified are remembered. Not thread-safe: one NATS dispatcher thread calls it.
 */
public final class RecentSignatures {

    /** 4,096 changes: seconds of history at the highest rates, where the copies arrive milliseconds apart. */
    private final long[] slots = new long[4096];

    /** True when a verified notification with this signature was passed on recently. */
    public boolean seen(String signature) {
        long key = key(signature);
        return key != 0 && slots[(int) (key & (slots.length - 1))] == key;
    }

    /** Remembers a signature that verified. */
    public void remember(String signature) {
        long key = key(signature);
        if (key != 0) {
            slots[(int) (key & (slots.length - 1))] = key;
        }
    }

    /** The first 64 bits of a 128-bit hex signature, or 0 for anything else (never stored). */
    private static long key(String signature) {
        if (signature == null || signature.length() != 32) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(signature, 0, 16, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
