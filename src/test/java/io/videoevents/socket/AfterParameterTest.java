package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one-video socket's query string: without {@code after} it starts with a snapshot, with a valid one it
 * resumes, and a bad one is refused (the socket then answers {@code bad_request}) rather than ignored.
 */
class AfterParameterTest {

    @Test
    void noAfterMeansASnapshotFirst() {
        assertThat(VideoEventsSocket.afterParameter(null)).isEmpty();
        assertThat(VideoEventsSocket.afterParameter("")).isEmpty();
        assertThat(VideoEventsSocket.afterParameter("token=abc&x=1")).isEmpty();
        // only the exact name counts
        assertThat(VideoEventsSocket.afterParameter("AFTER=3&afterwards=2&x_after=1")).isEmpty();
    }

    @Test
    void afterIsReadWhereverItStandsAndPercentDecoded() {
        assertThat(VideoEventsSocket.afterParameter("after=4")).isEqualTo(OptionalLong.of(4));
        assertThat(VideoEventsSocket.afterParameter("x=1&after=0&y=2")).isEqualTo(OptionalLong.of(0));
        assertThat(VideoEventsSocket.afterParameter("after=%34%32")).isEqualTo(OptionalLong.of(42));
        assertThat(VideoEventsSocket.afterParameter("%61fter=7")).isEqualTo(OptionalLong.of(7));
    }

    @ParameterizedTest
    @ValueSource(strings = { "after", "after=", "after=-1", "after=1.5", "after=abc", "after=1+2", "after=%2B1", "after=%20",
            "after=1000000000000000000", "x=1&after=%ZZ", "after=%" })
    void aBadAfterIsRefused(String query) {
        assertThatThrownBy(() -> VideoEventsSocket.afterParameter(query)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadAfterIsRefusedWithTheRuleTheClientIsTold() {
        assertThatThrownBy(() -> VideoEventsSocket.afterParameter("after=-1"))
                .hasMessage(io.videoevents.video.Versions.AFTER_RULE);
    }
}
