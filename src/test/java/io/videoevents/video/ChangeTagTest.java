package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Tags tell changes apart that share a number, read back exactly what they wrote, and refuse anything else. */
class ChangeTagTest {

    private static final Instant AT = Instant.parse("2026-12-07T10:00:00.123456Z");

    @Test
    void aTagIsEightCharactersThatReadBackAsTheSameTag() {
        long tag = ChangeTag.ofStatus("v-1", 5, "processed", AT);
        String text = ChangeTag.text(tag);
        assertThat(text).hasSize(ChangeTag.LENGTH).matches("[A-Za-z0-9_-]{8}");
        assertThat(ChangeTag.parse(text)).isEqualTo(tag);
        assertThat(tag).isNotZero().isLessThan(1L << 48);
    }

    @Test
    void twoChangesUnderOneNumberHaveDifferentTags() {
        long lost = ChangeTag.ofStatus("v-1", 5, "processed", AT);
        assertThat(ChangeTag.ofStatus("v-1", 5, "processed", AT.plusNanos(1000))).isNotEqualTo(lost);
        assertThat(ChangeTag.ofStatus("v-1", 5, "failed", AT)).isNotEqualTo(lost);
        assertThat(ChangeTag.ofStatus("v-2", 5, "processed", AT)).isNotEqualTo(lost);
        assertThat(ChangeTag.ofStatus("v-1", 6, "processed", AT)).isNotEqualTo(lost);
        assertThat(ChangeTag.ofStatus("v-1", 5, "processed", AT)).as("the same change, read again").isEqualTo(lost);
    }

    @Test
    void theLiveEventAndTheLogRowOfOneChangeHaveOneTag() {
        StatusEvent event = new StatusEvent("v-1", 5, "processed", "processing", AT);
        assertThat(ChangeTag.of(event)).isEqualTo(ChangeTag.ofStatus("v-1", 5, "processed", AT));
    }

    @Test
    void aChangeWithoutItsTimeHasNoTag() {
        assertThat(ChangeTag.ofStatus("v-1", 5, null, null)).isZero();
        assertThat(ChangeTag.textOrNull(0)).isNull();
    }

    @Test
    void manyTagsDoNotCollide() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seen.add(ChangeTag.ofStatus("v-" + (i % 100), i, "processing", AT.plusNanos(i * 1000L)));
        }
        assertThat(seen).hasSize(100_000);
    }

    @Test
    void anythingButATagThisServiceWroteIsRefused() {
        for (String text : new String[] { null, "", "AAAAAAAA", "AAAAAAA", "AAAAAAAAA", "AAAA+AAA", "AAAA/AAA", "AAAA=AAA", "AAAAAAA " }) {
            assertThatThrownBy(() -> ChangeTag.parse(text)).as(String.valueOf(text)).hasMessage(ChangeTag.RULE);
        }
    }
}
