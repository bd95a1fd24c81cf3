package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/**
 * The listener's half of the trigger's signature. The expected value was computed by the trigger of
 * migration V3 in PostgreSQL for this key and content; the same bytes must come out here.
 */
class NotificationSignatureTest {

    static final byte[] KEY = HexFormat.of().parseHex("26ec09b4ff6142599dbad77f6903d0b3499d1ca092bd468e8a7f02cc1190b7d6");
    static final String BY_THE_TRIGGER = "7858a187be6c383bf0b2072a8e85fa06";

    final NotificationSignature signature = new NotificationSignature(KEY);

    @Test
    void acceptsWhatTheTriggerSigned() {
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, BY_THE_TRIGGER)).isTrue();
    }

    @Test
    void refusesEveryChangeOfTheContent() {
        assertThat(signature.verify("v2", 1, "pending", null, 1796061242996849L, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 2, "pending", null, 1796061242996849L, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 1, "failed", null, 1796061242996849L, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 1, "pending", "processing", 1796061242996849L, BY_THE_TRIGGER)).isFalse();
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996850L, BY_THE_TRIGGER)).isFalse();
    }

    @Test
    void refusesAMissingMalformedOrForeignSignature() {
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, null)).isFalse();
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, "7858a187")).isFalse();
        assertThat(signature.verify("v1", 1, "pending", null, 1796061242996849L, "zz58a187be6c383bf0b2072a8e85fa06")).isFalse();
        NotificationSignature otherKey = new NotificationSignature(new byte[32]);
        assertThat(otherKey.verify("v1", 1, "pending", null, 1796061242996849L, BY_THE_TRIGGER)).isFalse();
    }
}
