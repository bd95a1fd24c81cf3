package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/**
 * The listener's half of the trigger's signature. The expected values were computed by the trigger (of migration
 * V3, and of V7 with a traceparent) in PostgreSQL for this key and content; the same bytes must come out here.
 */
class NotificationSignatureTest {

    static final byte[] KEY = HexFormat.of().parseHex("26ec09b4ff6142599dbad77f6903d0b3499d1ca092bd468e8a7f02cc1190b7d6");
    static final String BY_THE_TRIGGER = "7858a187be6c383bf0b2072a8e85fa06";

    final NotificationSignature signature = new NotificationSignature(KEY);

    @Test
    void acceptsWhatTheTriggerSigned() {
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, null, BY_THE_TRIGGER)).isTrue();
    }

    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    static final String TRACED_BY_THE_TRIGGER = "67f17e15dd7eac70bb7fdfeb861727f6";

    @Test
    void acceptsATracedChangeAsTheTriggerSignedItAndNothingElse() {
        assertThat(signature.verify("v1", 2, "processing", "pending", 1796530919121519L, TRACEPARENT, TRACED_BY_THE_TRIGGER))
                .isTrue();
        // the traceparent is signed: taken off, or swapped for another, the signature no longer holds
        assertThat(signature.verify("v1", 2, "processing", "pending", 1796530919121519L, null, TRACED_BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 2, "processing", "pending", 1796530919121519L,
                "00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-01", TRACED_BY_THE_TRIGGER)).isFalse();
    }

    @Test
    void refusesEveryChangeOfTheContent() {
        assertThat(signature.verify("v2", 1, "pending", null, 1796061242996849L, null, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 2, "pending", null, 1796061242996849L, null, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 1, "failed", null, 1796061242996849L, null, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 1, "pending", "processing", 1796061242996849L, null, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996850L, null, BY_THE_TRIGGER)).isFalse();
    }

    @Test
    void refusesAMissingMalformedOrForeignSignature() {
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, null, null)).isFalse();
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, null, "7858a187")).isFalse();
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, null, "zz58a187be6c383bf0b2072a8e85fa06")).isFalse();
        NotificationSignature otherKey = new NotificationSignature(new byte[32]);
        assertThat(otherKey.verify("v1", 1, "pending", null, 1796061242996849L, null, BY_THE_TRIGGER)).isFalse();
    }
}
