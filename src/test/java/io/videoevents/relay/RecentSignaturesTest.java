package io.videoevents.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The copy of a change from the second relay is known by its signature; nothing else ever counts as one. */
class RecentSignaturesTest {

    final RecentSignatures recent = new RecentSignatures();

    @Test
    void aRememberedSignatureIsSeenAndAnotherIsNot() {
        String sig = "0123456789abcdef0123456789abcdef";
        assertThat(recent.seen(sig)).isFalse();
        recent.remember(sig);
        assertThat(recent.seen(sig)).isTrue();
        assertThat(recent.seen("0123456789abcdef0000000000000000")).as("same first half: the same row, in practice").isTrue();
        assertThat(recent.seen("fedcba98765432100123456789abcdef")).isFalse();
    }

    @Test
    void whatIsNoSignatureIsNeverSeen() {
        for (String bad : new String[] { null, "", "00", "zz23456789abcdef0123456789abcdef", "0000000000000000",
                "00000000000000000000000000000000" }) {
            recent.remember(bad);
            assertThat(recent.seen(bad)).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void aLaterChangeInTheSameSlotOnlyLetsTheOldCopyThrough() {
        // 4,096 slots, chosen by the low bits of the first 64: these two share one
        String first = "0000000000001000" + "0".repeat(16);
        String second = "0000000000002000" + "0".repeat(16);
        recent.remember(first);
        recent.remember(second);
        assertThat(recent.seen(second)).isTrue();
        assertThat(recent.seen(first)).isFalse();
    }
}
