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

    void merge(ReceiveResult other) {
        for (int i = 0; i < Math.min(latency.length, other.latency.length); i++) {
            latency[i].add(other.latency[i]);
            fromSend[i].add(other.fromSend[i]);
        }
        expected += other.expected;
        received += other.received;
        lost += other.lost;
        duplicates += other.duplicates;
        outOfOrder += other.outOfOrder;
        unmatched += other.unmatched;
        beforeAck += other.beforeAck;
        errors += other.errors;
        unexpectedCloses += other.unexpectedCloses;
        for (String sample : other.samples) {
            if (samples.size() < 10) {
                samples.add(sample);
            }
        }
    }

    /** Nothing lost, duplicated, reordered, refused or closed on us. */
    boolean clean() {
        return lost == 0 && duplicates == 0 && outOfOrder == 0 && errors == 0 && unexpectedCloses == 0;
    }
}
