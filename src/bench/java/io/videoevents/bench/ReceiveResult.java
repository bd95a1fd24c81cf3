package io.videoevents.bench;

import java.util.*;
import org.HdrHistogram.Histogram;

/** What the receiving sockets saw. */
final class ReceiveResult {

    /** Latencies up to a minute, three significant digits. */
    static Histogram newHistogram() {
        return new Histogram(60_000_000L, 3);
    }

    /** from the commit's acknowledgement to the writer: a lower bound of commit → received */
    final Histogram[] latency;
    /** from the UPDATE being sent: an upper bound */
    final Histogram[] fromSend;
    /** versions the sockets should have received: every commit after each socket's snapshot */
    long expected;
    /** distinct versions received */
    long received;
    long lost;
    long duplicates;
    long outOfOrder;
    /** received versions the driver did not make (another writer) */
    long unmatched;
    /** deliveries that arrived before the driver saw its commit acknowledged (recorded as 0 µs) */
    long beforeAck;
    long errors;
    long unexpectedCloses;
    final List<String> samples = new ArrayList<>();

    ReceiveResult(int steps) {
        latency = new Histogram[steps];
        fromSend = new Histogram[steps];
        for (int i = 0; i < steps; i++) {
            latency[i] = newHistogram();
            fromSend[i] = newHistogram();
        }
    }
}
