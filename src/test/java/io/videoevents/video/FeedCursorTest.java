package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Cursors read back as they were written, those of clients from before anchors still work, and nothing else is taken. */
class FeedCursorTest {

    private static final long TAG = 0x0a0b_0c0d_0e0fL;

    @Test
    void anchoredCursorsReadBackAsWritten() {
        FeedCursor.Log row = new FeedCursor.Log(120, 7, new FeedCursor.Anchor(120, 7, TAG, 2));
        FeedCursor.Log reached = new FeedCursor.Log(130, 0, new FeedCursor.Anchor(120, 7, TAG, 3));
        FeedCursor.Log none = new FeedCursor.Log(130, 0, FeedCursor.Anchor.noRow(1));
        FeedCursor.Snapshot page = new FeedCursor.Snapshot(130, "v-9", new FeedCursor.Anchor(120, 7, TAG, 1));
        FeedCursor.Snapshot first = new FeedCursor.Snapshot(130, "", FeedCursor.Anchor.noRow(4));
        for (FeedCursor cursor : new FeedCursor[] { row, reached, none, page, first }) {
            assertThat(FeedCursor.parse(cursor.text())).as(cursor.text()).isEqualTo(cursor);
        }
        assertThat(row.text()).isEqualTo("c.120.7.2." + ChangeTag.text(TAG) + ".120.7");
        assertThat(none.text()).isEqualTo("c.130.0.1.-");
    }

    @Test
    void cursorsWithoutAnAnchorAreReadAsBefore() {
        assertThat(FeedCursor.parse("c.120.7")).isEqualTo(new FeedCursor.Log(120, 7));
        assertThat(FeedCursor.parse("s.130.di05")).isEqualTo(new FeedCursor.Snapshot(130, "v-9"));
        assertThat(FeedCursor.parse("c.120.7").anchor()).isNull();
    }

    @Test
    void aPlaceIsComparedByPlaceOnlyAndKeepsItsAnchorWhenItMovesOn() {
        FeedCursor.Log row = new FeedCursor.Log(120, 7, new FeedCursor.Anchor(120, 7, TAG, 2));
        assertThat(row.compareTo(new FeedCursor.Log(120, 7))).isZero();
        assertThat(row.movedTo(200)).isEqualTo(new FeedCursor.Log(200, 0, row.anchor()));
        assertThat(row.readOn(3).anchor().epoch()).isEqualTo(3);
        assertThat(row.readOn(3).anchor().place()).isEqualTo(new FeedCursor.Log(120, 7));
    }

    @Test
    void anythingElseIsRefused() {
        String tag = ChangeTag.text(TAG);
        for (String text : new String[] { "c.120.7.2", "c.120.7.2.x", "c.120.7.0.-", "c.120.7.2." + tag + ".121.1",
                "c.120.7.2." + tag + ".120.8", "c.120.7.2.AAAAAAAA.120.7", "c.120.7.2." + tag + ".120", "s.130.di05.1." + tag + ".130.1",
                "c.120.7.99999999999." + tag + ".120.7", "x.1.2", "c.1", "c.1.2.3.4.5.6.7" }) {
            assertThatThrownBy(() -> FeedCursor.parse(text)).as(text).hasMessage(FeedCursor.RULE);
        }
    }
}
