package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ?after=V} as text (REST history and the one-video socket): plain digits only, 0 to 10^18 - 1. */
class VersionsTest {

    @Test
    void plainDigitsAreTheLastVersionReceived() {
        assertThat(Versions.parseAfter("0")).isZero();
        assertThat(Versions.parseAfter("4")).isEqualTo(4);
        assertThat(Versions.parseAfter("0004")).isEqualTo(4);
        assertThat(Versions.parseAfter("999999999999999999")).isEqualTo(999_999_999_999_999_999L);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", " ", " 4", "4 ", "-1", "+1", "1.0", "1e3", "0x10", "four", "1_000",
            // 19 digits: beyond the rule even where a long could hold it
            "1000000000000000000", "9223372036854775807", "99999999999999999999999",
            // digits of other scripts are not digits here
            "\u0664", "\uff14" })
    void anythingElseIsRefusedWithTheRule(String value) {
        assertThatThrownBy(() -> Versions.parseAfter(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(Versions.AFTER_RULE);
    }
}
