package io.videoevents.bench;

import java.io.*;
import java.nio.ByteBuffer;
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

    private List<Histogram> all() {
        List<Histogram> all = new ArrayList<>(List.of(latency));
        all.addAll(List.of(fromSend));
        return all;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(latency.length);
        for (Histogram histogram : all()) {
            ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
            int length = histogram.encodeIntoCompressedByteBuffer(buffer);
            out.writeInt(length);
            out.write(buffer.array(), 0, length);
        }
        for (long value : new long[] { expected, received, lost, duplicates, outOfOrder, unmatched, beforeAck, errors,
                unexpectedCloses }) {
            out.writeLong(value);
        }
        out.writeInt(samples.size());
        for (String sample : samples) {
            out.writeUTF(sample);
        }
    }

    static ReceiveResult read(DataInputStream in) throws IOException {
        int steps = in.readInt();
        ReceiveResult result = new ReceiveResult(steps);
        try {
            for (int i = 0; i < 2 * steps; i++) {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                Histogram histogram = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
                if (i < steps) {
                    result.latency[i] = histogram;
                } else {
                    result.fromSend[i - steps] = histogram;
                }
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new IOException(e);
        }
        result.expected = in.readLong();
        result.received = in.readLong();
        result.lost = in.readLong();
        result.duplicates = in.readLong();
        result.outOfOrder = in.readLong();
        result.unmatched = in.readLong();
        result.beforeAck = in.readLong();
        result.errors = in.readLong();
        result.unexpectedCloses = in.readLong();
        int samples = in.readInt();
        for (int i = 0; i < samples; i++) {
            result.samples.add(in.readUTF());
        }
        return result;
    }
}
