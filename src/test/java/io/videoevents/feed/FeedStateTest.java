package io.videoevents.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.videoevents.subscription.SubscriptionState;
import io.videoevents.video.FeedChange;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.FeedRepository.ChangesRead;
import io.videoevents.video.FeedRepository.SnapshotRead;
import io.videoevents.video.FeedVideo;

/**
 * The feed's rules, driven by hand: no Quarkus, no database, no socket. Positions are small numbers here; a row
 * is written {@code position.seq}. The sink records what would have gone out and which reads were asked for.
 */
class FeedStateTest {

    final List<String> out = new ArrayList<>();
    /** Reads asked for and not yet answered. */
    final List<Read> reads = new ArrayList<>();
    /** Times the feed said its history was not the database's. */
    int diverged;
    FeedState feed;

    record Read(long ticket, String kind, Object from, boolean paced, long delay) {
    }

    @BeforeEach
    void create() {
        feed = new FeedState(new FeedState.Sink() {
            @Override
            public void sendSnapshot(SnapshotRead page, FeedCursor next, boolean resync) {
                out.add((resync ? "resync " : "page ") + page.videos().size() + " " + next.text());
            }

            @Override
            public void sendChange(FeedChange change, boolean live) {
                out.add((live ? "live " : "logged ") + change.cursor().position() + "." + change.cursor().seq());
            }

            @Override
            public void readSnapshot(long ticket, FeedCursor.Snapshot from, boolean paced, long delayMillis) {
                reads.add(new Read(ticket, "snapshot", from, paced, delayMillis));
            }

            @Override
            public void readChanges(long ticket, FeedCursor.Log after, boolean paced, long delayMillis) {
                reads.add(new Read(ticket, "changes", after, paced, delayMillis));
            }

            @Override
            public void end() {
                out.add("end");
            }

            @Override
            public void diverged() {
                diverged++;
            }
        });
    }

    static FeedChange row(long position, long seq) {
        return new FeedChange(new FeedCursor.Log(position, seq), "v-" + seq, FeedChange.Kind.STATUS, null, 2, "processing",
                "pending", null, null, Instant.EPOCH);
    }

    static FeedCursor.Log at(long position, long seq) {
        return new FeedCursor.Log(position, seq);
    }

    Read lastRead() {
        assertThat(reads).isNotEmpty();
        return reads.remove(reads.size() - 1);
    }

    void answerSnapshot(long at, int videos, boolean complete) {
        Read read = lastRead();
        assertThat(read.kind()).isEqualTo("snapshot");
        List<FeedVideo> page = new ArrayList<>();
        for (int i = 0; i < videos; i++) {
            page.add(new FeedVideo("v-" + (char) ('a' + i), 1, "pending", Instant.EPOCH, null));
        }
        feed.onSnapshot(read.ticket(), new SnapshotRead(new FeedCursor.Snapshot(at, ""), page, complete, true, false));
    }

    /** Answers the pending changes read with these rows, below {@code horizon}. */
    void answerChanges(long horizon, boolean complete, FeedChange... rows) {
        Read read = lastRead();
        assertThat(read.kind()).isEqualTo("changes");
        feed.onChanges(read.ticket(), (FeedCursor.Log) read.from(), changes(List.of(rows), horizon, complete, true, false,
                (FeedCursor.Log) read.from()));
    }

    static ChangesRead changes(List<FeedChange> rows, long horizon, boolean complete, boolean servable, boolean diverged,
            FeedCursor.Log from) {
        return new ChangesRead(rows, horizon, complete, servable, false, diverged, 1, from);
    }

    @Test
    void withoutACursorTheSnapshotComesFirstThenTheLogAfterItsPosition() {
        feed.start(null, false);
        assertThat(lastRead().from()).isNull();
        reads.add(new Read(1, "snapshot", null, false, 0));

        answerSnapshot(100, 2, true);

        assertThat(out).containsExactly("page 2 c.100.0");
        Read next = reads.get(0);
        assertThat(next.kind()).isEqualTo("changes");
        assertThat(next.from()).isEqualTo(at(100, 0));
        assertThat(next.paced()).isTrue();
    }

    @Test
    void snapshotPagesFollowEachOtherAtTheClientsPace() {
        feed.start(null, false);
        answerSnapshot(100, 3, false);
        Read next = lastRead();
        assertThat(next.from()).isEqualTo(new FeedCursor.Snapshot(100, "v-c"));
        assertThat(next.paced()).isTrue();
        assertThat(out).containsExactly("page 3 " + new FeedCursor.Snapshot(100, "v-c").text());
    }

    @Test
    void theInstancesRowsAreHeldUntilTheLogIsCoveredUpToWhereTheyBegin() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(105, 0));
        feed.onTail(row(106, 1));
        feed.onTail(row(107, 2));

        answerChanges(108, true, row(101, 7), row(106, 1));

        assertThat(feed.isLive()).isTrue();
        assertThat(out).containsExactly("logged 101.7", "logged 106.1", "logged 107.2");
        feed.onTail(row(107, 2));
        feed.onTail(row(109, 3));
        assertThat(out).endsWith("live 109.3");
        assertThat(out).hasSize(4);
    }

    @Test
    void aReadCompleteBeforeTheInstanceSaysWhereItsRowsBeginWaitsForIt() {
        feed.start(at(100, 0), false);
        answerChanges(102, true, row(101, 1));
        assertThat(reads).isEmpty();
        assertThat(feed.isLive()).isFalse();

        feed.onTailFrom(at(104, 0));
        Read again = lastRead();
        assertThat(again.from()).isEqualTo(at(101, 1));
        feed.onTail(row(104, 5));
        reads.add(again);
        answerChanges(105, true, row(103, 2), row(104, 5));

        assertThat(feed.isLive()).isTrue();
        assertThat(out).containsExactly("logged 101.1", "logged 103.2", "logged 104.5");
    }

    @Test
    void aReadThatEndsBelowWhereTheInstancesRowsBeginIsFollowedByAnother() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(110, 0));
        answerChanges(105, true);
        assertThat(feed.isLive()).isFalse();
        assertThat(lastRead().from()).isEqualTo(at(100, 0));
    }

    @Test
    void heldRowsDroppedForTooManyAreReadAgainFromTheLog() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(100, 0));
        Read first = lastRead();
        for (int i = 1; i <= FeedState.MAX_HELD + 2; i++) {
            feed.onTail(row(100 + i, i));
        }
        assertThat(feed.heldCount()).isEqualTo(2);
        reads.add(first);

        answerChanges(101, true);

        assertThat(feed.isLive()).as("the pile was dropped after that read was issued").isFalse();
        Read again = lastRead();
        assertThat(again.from()).isEqualTo(at(100, 0));
        reads.add(again);
        FeedChange[] fromLog = new FeedChange[FeedState.MAX_HELD];
        for (int i = 1; i <= FeedState.MAX_HELD; i++) {
            fromLog[i - 1] = row(100 + i, i);
        }
        answerChanges(100 + FeedState.MAX_HELD + 1, true, fromLog);

        assertThat(feed.isLive()).isTrue();
        assertThat(out).hasSize(FeedState.MAX_HELD + 2);
        assertThat(out.get(out.size() - 1)).isEqualTo("logged " + (100 + FeedState.MAX_HELD + 2) + "." + (FeedState.MAX_HELD + 2));
    }

    @Test
    void aFullPageIsFollowedByTheNextFromTheLastRowSent() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(100, 0));
        answerChanges(200, false, row(101, 1), row(102, 2));
        Read next = lastRead();
        assertThat(next.from()).isEqualTo(at(102, 2));
        assertThat(next.paced()).isTrue();
        assertThat(feed.isLive()).isFalse();
    }

    @Test
    void aCursorTheLogCannotServeGetsANewSnapshotMarkedResync() {
        feed.start(at(5, 0), false);
        Read read = lastRead();
        feed.onChanges(read.ticket(), at(5, 0), changes(List.of(), 300, true, false, false, at(5, 0)));
        assertThat(lastRead().from()).as("a new snapshot").isNull();
        reads.add(new Read(read.ticket() + 1, "snapshot", null, false, 0));
        answerSnapshot(300, 1, true);
        assertThat(out).containsExactly("resync 1 c.300.0");
    }

    @Test
    void aSnapshotCursorTheLogCannotServeStartsOver() {
        feed.start(new FeedCursor.Snapshot(5, "v-b"), false);
        Read read = lastRead();
        assertThat(read.from()).isEqualTo(new FeedCursor.Snapshot(5, "v-b"));
        feed.onSnapshot(read.ticket(), new SnapshotRead(new FeedCursor.Snapshot(5, "v-b"), List.of(), true, false, false));
        assertThat(lastRead().from()).isNull();
    }

    @Test
    void failedReadsAreRetriedWithBackoffThenTheFeedEnds() {
        feed.start(at(100, 0), false);
        for (int failure = 1; failure <= SubscriptionState.MAX_READ_FAILURES; failure++) {
            Read read = lastRead();
            feed.onReadFailed(read.ticket());
            Read retry = reads.get(reads.size() - 1);
            assertThat(retry.from()).isEqualTo(at(100, 0));
            assertThat(retry.delay()).isEqualTo(SubscriptionState.backoff(failure));
        }
        feed.onReadFailed(lastRead().ticket());
        assertThat(out).containsExactly("end");
        assertThat(feed.isEnded()).isTrue();
    }

    // --- a database that failed over --------------------------------------------------------------------

    @Test
    void aCursorWhoseHistoryIsNotTheDatabasesStartsOverFromASnapshotAndSaysSo() {
        feed.start(at(5, 0), false);
        Read read = lastRead();
        feed.onChanges(read.ticket(), at(5, 0), changes(List.of(), 300, true, false, true, at(5, 0)));
        assertThat(diverged).isEqualTo(1);
        assertThat(lastRead().from()).as("a new snapshot").isNull();
        reads.add(new Read(read.ticket() + 1, "snapshot", null, false, 0));
        answerSnapshot(300, 1, true);
        assertThat(out).containsExactly("resync 1 c.300.0");
    }

    @Test
    void aSnapshotPageWhoseCursorDivergedStartsOverAndSaysSo() {
        feed.start(new FeedCursor.Snapshot(5, "v-b"), false);
        Read read = lastRead();
        feed.onSnapshot(read.ticket(), new SnapshotRead(new FeedCursor.Snapshot(5, "v-b"), List.of(), true, false, true));
        assertThat(diverged).isEqualTo(1);
        assertThat(lastRead().from()).isNull();
    }

    @Test
    void aRewoundLiveFeedChecksItsOwnCursorWithAReadAndGoesLiveAgainWhereTheInstanceStartsOver() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(100, 0));
        answerChanges(100, true);
        assertThat(feed.isLive()).isTrue();
        feed.onTail(row(101, 1));
        assertThat(out).containsExactly("live 101.1");

        feed.rewind();
        assertThat(feed.isLive()).isFalse();
        Read check = lastRead();
        assertThat(check.kind()).isEqualTo("changes");
        assertThat(check.from()).as("from the last row it sent").isEqualTo(at(101, 1));
        assertThat(check.paced()).isFalse();
        // rows the instance read before starting over are not the feed's to send
        feed.onTail(row(102, 2));
        reads.add(check);
        answerChanges(103, true, row(102, 2));
        assertThat(feed.isLive()).as("not before the instance says where its rows begin anew").isFalse();
        feed.onTailFrom(at(103, 0));
        answerChanges(103, true);
        assertThat(feed.isLive()).isTrue();
        feed.onTail(row(104, 1));
        assertThat(out).containsExactly("live 101.1", "logged 102.2", "live 104.1");
        assertThat(diverged).isZero();
    }

    @Test
    void aRewoundFeedWhoseCursorIsGoneResyncs() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(100, 0));
        answerChanges(100, true);
        feed.onTail(row(101, 1));
        feed.rewind();
        Read check = lastRead();
        feed.onChanges(check.ticket(), at(101, 1), changes(List.of(), 90, true, false, true, at(101, 1)));
        assertThat(diverged).isEqualTo(1);
        assertThat(lastRead().kind()).isEqualTo("snapshot");
    }

    @Test
    void aFeedReadingItsSnapshotWhenRewoundFinishesItAndWaitsForTheInstance() {
        feed.start(null, false);
        feed.onTailFrom(at(90, 0));
        feed.rewind();
        assertThat(reads).hasSize(1);
        answerSnapshot(100, 1, true);
        answerChanges(100, true);
        assertThat(feed.isLive()).isFalse();
        feed.onTailFrom(at(100, 0));
        answerChanges(100, true);
        assertThat(feed.isLive()).isTrue();
    }

    @Test
    void afterCloseNothingGoesOut() {
        feed.start(at(100, 0), false);
        feed.onTailFrom(at(100, 0));
        feed.close();
        feed.onTail(row(101, 1));
        answerChanges(200, true, row(101, 1));
        assertThat(out).isEmpty();
    }
}
