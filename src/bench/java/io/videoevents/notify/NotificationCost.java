package io.videoevents.notify;

import java.security.SecureRandom;
import java.util.Locale;

/** What reading and checking one status notification costs the listener, in nanoseconds on this machine. */
public final class NotificationCost {

    private NotificationCost() {
    }

    public static void main(String[] args) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        NotificationSignature signature = new NotificationSignature(key);
        long micros = 1796061242996849L;
        String sig = java.util.HexFormat.of().formatHex(signature.sign("v-123", 7, "processed", "processing", micros, null));
        String payload = "{\"videoId\" : \"v-123\", \"version\" : 7, \"status\" : \"processed\", \"previousStatus\" : \"processing\","
                + " \"occurredAt\" : " + micros + ", \"sig\" : \"" + sig + "\"}";
        int rounds = 2_000_000;
        long sink = 0;
        for (int warm = 0; warm < 3; warm++) {
            sink += run(signature, payload, rounds / 4, true) + run(signature, payload, rounds / 4, false);
        }
        double parseOnly = run(signature, payload, rounds, false) / (double) rounds;
        double parseAndVerify = run(signature, payload, rounds, true) / (double) rounds;
        System.out.printf(Locale.ROOT, "parse: %.0f ns per notification; parse + verify signature: %.0f ns (verify: %.0f ns)%s%n",
                parseOnly, parseAndVerify, parseAndVerify - parseOnly, sink == 42 ? " " : "");
    }

    private static long run(NotificationSignature signature, String payload, int rounds, boolean verify) {
        long start = System.nanoTime();
        int ok = 0;
        for (int i = 0; i < rounds; i++) {
            var status = (NotificationParser.Status) NotificationParser.parse(payload);
            if (!verify || signature.verify(status.event().videoId(), status.event().version(), status.event().status(),
                    status.event().previousStatus(), status.occurredAtMicros(), status.traceparent(), status.signature())) {
                ok++;
            }
        }
        if (ok != rounds) {
            throw new IllegalStateException("a signature did not verify");
        }
        return System.nanoTime() - start;
    }
}
