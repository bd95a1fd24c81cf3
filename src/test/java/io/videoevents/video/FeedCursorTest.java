package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Feed cursors go out as text and come back unchanged; anything else is refused with the same message. */
class FeedCursorTest {

    @Test
    void bothKindsRoundTrip() {
        FeedCursor log = new FeedCursor.Log(123456789012L, 42);
        FeedCursor snapshot = new FeedCursor.Snapshot(77, "v-1.a:b_c");
        assertThat(FeedCursor.parse(log.text())).isEqualTo(log);
        assertThat(FeedCursor.parse(snapshot.text())).isEqualTo(snapshot);
        assertThat(FeedCursor.parse(new FeedCursor.Snapshot(77, "").text())).isEqualTo(new FeedCursor.Snapshot(77, ""));
        assertThat(log.text()).isEqualTo("c.123456789012.42");
    }

    @Test
    void logPositionsOrderByPositionThenSeq() {
        assertThat(new FeedCursor.Log(5, 9).isAfter(new FeedCursor.Log(4, 100))).isTrue();
        assertThat(new FeedCursor.Log(5, 9).isAfter(new FeedCursor.Log(5, 8))).isTrue();
        assertThat(new FeedCursor.Log(5, 0).isAfter(new FeedCursor.Log(5, 0))).isFalse();
        assertThat(new FeedCursor.Snapshot(5, "x").end()).isEqualTo(new FeedCursor.Log(5, 0));
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] { "", "c", "c.1", "c.1.2.3", "c.-1.2", "c.1.x", "x.1.2", "c.1234567890123456789.1",
                "s.1.!!", "s.1." + java.util.Base64.getUrlEncoder().encodeToString("bad id!".getBytes()), "c.1.2 ", "a".repeat(401) }) {
            assertThatThrownBy(() -> FeedCursor.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(FeedCursor.RULE);
        }
    }
}
