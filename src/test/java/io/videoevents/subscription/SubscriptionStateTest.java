package io.videoevents.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.videoevents.subscription.Frames.EventFrame;
import io.videoevents.subscription.SubscriptionState.Ending;
import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoRead;
import io.videoevents.video.VideoState;

/**
 * The subscription's rules, driven by hand: no Quarkus, no database, no socket. Each test is one
 * sentence of the contract; the sink records what would have gone out.
 */
class SubscriptionStateTest {

    static final String VIDEO = "v-1";
    static final String ALICE = "alice";

    /** What the state asked for, in order. */
    final List<String> out = new ArrayList<>();
    /** Read requests not yet answered: ticket, after, limit. */
    final List<long[]> reads = new ArrayList<>();
    String viewer = ALICE;
    /** Owner of the deleted stream in the next answers. */
    String deletedOwner = ALICE;
    /** Times the state said the client's history was not the database's. */
    int diverged;
    SubscriptionState subscription;

    @BeforeEach
    void create() {
        subscription = new SubscriptionState(new SubscriptionState.Access() {
            @Override
            public AccessGuard.Decision decide(Optional<VideoState> row) {
                return row.isEmpty() ? AccessGuard.Decision.NOT_FOUND
                        : mayWatch(row.get().ownerId()) ? AccessGuard.Decision.ALLOW : AccessGuard.Decision.FORBIDDEN;
            }

            @Override
            public boolean mayWatch(String ownerId) {
                return viewer.equals(ownerId);
            }
        },
                new SubscriptionState.Sink() {
                    @Override
                    public void started() {
                        out.add("started");
                    }

                    @Override
                    public void sendLive(EventFrame frame) {
                        out.add("live " + frame.version());
                    }

                    @Override
                    public void sendLogged(StatusEvent event, boolean replay) {
                        out.add((replay ? "replay " : "logged ") + event.version());
                    }

                    @Override
                    public void sendSnapshot(VideoState state, boolean resync) {
                        out.add((resync ? "resync " : "snapshot ") + state.version());
                    }

                    @Override
                    public void diverged() {
                        diverged++;
                    }

                    @Override
                    public void read(long ticket, long after, int limit, boolean paced, long delayMillis) {
                        reads.add(new long[] { ticket, after, limit, paced ? 1 : 0, delayMillis });
                    }

                    @Override
                    public void end(Ending ending) {
                        out.add("end " + ending);
                    }
                });
    }

    // --- start ------------------------------------------------------------------------------------

    @Test
    void aSnapshotComesFirstThenEveryLaterVersionInOrder() {
        subscription.start(OptionalLong.empty());
        assertThat(pendingRead()[2]).as("a snapshot reads the row only").isZero();
        answer(row(3, 1, ALICE), 0);
        live(4);
        live(5);
        assertThat(out).containsExactly("started", "snapshot 3", "live 4", "live 5");
    }

    @Test
    void nothingIsSentBeforeTheReadShowsTheCallerMayWatch() {
        subscription.start(OptionalLong.empty());
        live(2);
        assertThat(out).isEmpty();
        viewer = "mallory";
        answer(row(1, 1, ALICE), 0);
        live(3);
        assertThat(out).containsExactly("end FORBIDDEN");
        assertThat(reads).isEmpty();
    }

    @Test
    void anUnknownVideoEndsWithNotFound() {
        subscription.start(OptionalLong.of(3));
        answer(Optional.empty(), 0);
        assertThat(out).containsExactly("end NOT_FOUND");
    }

    @Test
    void aResumeGetsEveryLoggedVersionAfterItsAfterThenLive() {
        subscription.start(OptionalLong.of(2));
        assertThat(pendingRead()[1]).isEqualTo(2);
        answer(row(4, 1, ALICE), 0, event(3), event(4));
        live(5);
        assertThat(out).containsExactly("started", "replay 3", "replay 4", "live 5");
    }

    @Test
    void aResumeFromBeforeTheRetentionGetsAResyncSnapshot() {
        subscription.start(OptionalLong.of(2));
        answer(row(9, 6, ALICE), 0, event(6), event(7), event(8), event(9));
        assertThat(out).containsExactly("started", "resync 9");
    }

    @Test
    void aResumeAheadOfTheRowGetsAResyncSnapshot() {
        subscription.start(OptionalLong.of(12));
        answer(row(9, 1, ALICE), 0);
        assertThat(out).containsExactly("started", "resync 9");
    }

    @Test
    void aResumeAtTheCurrentVersionSendsNothingUntilTheNextChange() {
        subscription.start(OptionalLong.of(4));
        answer(row(4, 1, ALICE), 0);
        live(5);
        assertThat(out).containsExactly("started", "live 5");
    }

    @Test
    void aLongReplayGoesAPageAtATimeAtTheClientsPace() {
        subscription.start(OptionalLong.of(0));
        answerPage(row(3, 1, ALICE), event(1), event(2));
        long[] next = pendingRead();
        assertThat(next[1]).as("the next page starts after the last sent").isEqualTo(2);
        assertThat(next[3]).as("paced").isEqualTo(1);
        live(4);
        answer(row(4, 1, ALICE), 0, event(3), event(4));
        assertThat(out).containsExactly("started", "replay 1", "replay 2", "replay 3", "replay 4");
        live(5);
        assertThat(out).endsWith("live 5");
    }

    // --- live -------------------------------------------------------------------------------------

    @Test
    void aDuplicateOrOlderVersionIsDropped() {
        liveAt(3);
        live(3);
        live(2);
        live(4);
        live(4);
        assertThat(out).containsExactly("started", "snapshot 3", "live 4");
        assertThat(reads).isEmpty();
    }

    @Test
    void aGapIsFilledFromTheLogBeforeTheNewerEvent() {
        liveAt(3);
        live(6);
        long[] read = pendingRead();
        assertThat(read[1]).isEqualTo(3);
        live(7);
        answer(row(6, 1, ALICE), 0, event(4), event(5), event(6));
        assertThat(out).containsExactly("started", "snapshot 3", "logged 4", "logged 5", "logged 6", "live 7");
        assertThat(reads).isEmpty();
    }

    @Test
    void eventsArrivingDuringAReadAreHeldAndReleasedInOrder() {
        subscription.start(OptionalLong.empty());
        live(5);
        live(4);
        answer(row(3, 1, ALICE), 0);
        assertThat(out).containsExactly("started", "snapshot 3", "live 4", "live 5");
    }

    @Test
    void aHoleInTheLogGetsAResyncSnapshot() {
        liveAt(3);
        live(9);
        answer(row(9, 7, ALICE), 0, event(7), event(8), event(9));
        assertThat(out).containsExactly("started", "snapshot 3", "resync 9");
        live(10);
        assertThat(out).endsWith("live 10");
    }

    @Test
    void aVersionFarAheadOfTheLogIsSuspectAndNotChased() {
        liveAt(3);
        live(1_000_000_000);
        answer(row(3, 1, ALICE), 0);
        assertThat(reads).as("dropped after one read, not read for again").isEmpty();
        assertThat(subscription.suspects()).isEqualTo(1);
        live(4);
        assertThat(out).containsExactly("started", "snapshot 3", "live 4");
    }

    @Test
    void repeatedSuspectsMakeTheNextGapReadWait() {
        liveAt(3);
        live(1_000);
        answer(row(3, 1, ALICE), 0);
        live(2_000);
        long[] read = pendingRead();
        assertThat(read[4]).as("delay before the next gap read").isGreaterThan(0);
        answer(row(3, 1, ALICE), 0);
        live(3_000);
        assertThat(pendingRead()[4]).as("backing off").isGreaterThan(read[4]);
    }

    @Test
    void aForgedNextVersionThatTheLogDoesNotHoldNeverReachesTheClientNorBlocksTheRealOne() {
        liveAt(1);
        // a notification for version 3 while 2 is not yet committed: the log read shows version 1 only
        live(3);
        answer(row(1, 1, ALICE), 0);
        assertThat(subscription.suspects()).isEqualTo(1);
        live(2);
        live(3);
        assertThat(out).containsExactly("started", "snapshot 1", "live 2", "live 3");
    }

    @Test
    void aHeldEventArrivingAfterTheReadBeganIsNotSuspect() {
        liveAt(3);
        live(5);
        long[] read = pendingRead();
        live(7);
        // the read ran before 6 and 7 were committed
        answer(read, row(5, 1, ALICE), 0, true, event(4), event(5));
        assertThat(subscription.suspects()).isZero();
        assertThat(pendingRead()[1]).as("the gap before 7 is read").isEqualTo(5);
        answer(row(7, 1, ALICE), 0, event(6), event(7));
        assertThat(out).containsExactly("started", "snapshot 3", "logged 4", "logged 5", "logged 6", "logged 7");
    }

    @Test
    void heldEventsAreBoundedAndTheLogFillsWhatWasDropped() {
        subscription.start(OptionalLong.empty());
        for (int v = 2; v <= SubscriptionState.MAX_HELD + 10; v++) {
            live(v);
        }
        assertThat(subscription.heldCount()).isLessThanOrEqualTo(SubscriptionState.MAX_HELD);
        answer(row(1, 1, ALICE), 0);
        assertThat(pendingRead()[1]).as("read again for what was dropped").isEqualTo(1);
    }

    // --- deletion and re-creation -----------------------------------------------------------------

    @Test
    void aDeletionEndsTheStreamWithDeleted() {
        liveAt(3);
        subscription.onDoorbell();
        answer(Optional.empty(), 3);
        live(4);
        assertThat(out).containsExactly("started", "snapshot 3", "end DELETED");
        assertThat(reads).isEmpty();
    }

    @Test
    void versionsCommittedBeforeTheDeletionStillGoOutBeforeDeleted() {
        liveAt(50);
        subscription.onDoorbell();
        // version 51 was committed, then the row deleted; 51 arrives while the doorbell's read is under way
        live(51);
        answer(Optional.empty(), 51);
        assertThat(out).containsExactly("started", "snapshot 50", "live 51", "end DELETED");
    }

    @Test
    void heldVersionsOfADeletedVideoTheCallerLostAccessToAreNotSent() {
        liveAt(50);
        subscription.onDoorbell();
        live(51);
        // the owner changed, then the row was deleted: its last owner is not this caller
        deletedOwner = "bob";
        answer(Optional.empty(), 51);
        assertThat(out).containsExactly("started", "snapshot 50", "end FORBIDDEN");
    }

    @Test
    void onlyTheDeletedStreamsOwnHeldVersionsGoOutBeforeDeleted() {
        liveAt(3);
        subscription.onDoorbell();
        live(4);
        // deleted at 4, created again at 6: the new stream's version is held too, and must not follow
        live(6);
        answer(row(6, 6, ALICE), 4, event(6));
        assertThat(out).containsExactly("started", "snapshot 3", "live 4", "end DELETED");
    }

    @Test
    void aRecreatedIdEndsTheOldStreamAndIsNeverTakenForItsContinuation() {
        liveAt(3);
        // deleted at 3 and created again (starts at 5): its version 5 arrives before the deletion's read
        live(5);
        answer(row(5, 5, ALICE), 3, event(5));
        assertThat(out).containsExactly("started", "snapshot 3", "end DELETED");
    }

    @Test
    void aResumeWithAnAfterFromTheDeletedStreamGetsAResyncSnapshot() {
        subscription.start(OptionalLong.of(3));
        answer(row(5, 5, ALICE), 3, event(5));
        assertThat(out).containsExactly("started", "resync 5");
    }

    @Test
    void aResumeWithAnAfterFromTheNewStreamContinues() {
        subscription.start(OptionalLong.of(5));
        answer(row(6, 5, ALICE), 3, event(6));
        assertThat(out).containsExactly("started", "replay 6");
    }

    @Test
    void anOlderDeletionOfTheIdDoesNotEndTheNewStream() {
        subscription.start(OptionalLong.empty());
        answer(row(5, 5, ALICE), 3);
        subscription.onDoorbell();
        answer(row(5, 5, ALICE), 3);
        live(6);
        assertThat(out).containsExactly("started", "snapshot 5", "live 6");
    }

    @Test
    void aRowGoneWithoutATombstoneEndsTheStreamToo() {
        liveAt(2);
        subscription.onDoorbell();
        answer(Optional.empty(), 0);
        assertThat(out).containsExactly("started", "snapshot 2", "end DELETED");
    }

    // --- access -----------------------------------------------------------------------------------

    @Test
    void anOwnerChangeEndsWithForbiddenBeforeAnyLaterEvent() {
        liveAt(2);
        subscription.onDoorbell();
        // committed after the owner change, announced before the read returns
        live(3);
        assertThat(out).containsExactly("started", "snapshot 2");
        answer(row(3, 1, "bob"), 0, event(3));
        live(4);
        assertThat(out).containsExactly("started", "snapshot 2", "end FORBIDDEN");
    }

    @Test
    void anOwnerChangeThatKeepsAccessReleasesTheHeldEvents() {
        liveAt(2);
        subscription.onDoorbell();
        live(3);
        answer(row(2, 1, ALICE), 0);
        assertThat(out).containsExactly("started", "snapshot 2", "live 3");
    }

    @Test
    void aReadIssuedBeforeTheDoorbellCannotClearIt() {
        liveAt(2);
        live(4);
        long[] gapRead = pendingRead();
        subscription.onDoorbell();
        live(5);
        // the gap read ran before the owner changed: its rows may go, the held events may not
        answer(gapRead, row(4, 1, ALICE), 0, true, event(3), event(4));
        assertThat(out).containsExactly("started", "snapshot 2", "logged 3", "logged 4");
        answer(row(5, 1, "bob"), 0, event(5));
        assertThat(out).containsExactly("started", "snapshot 2", "logged 3", "logged 4", "end FORBIDDEN");
    }

    @Test
    void everyReadChecksAccessAgain() {
        liveAt(2);
        live(4);
        answer(row(4, 1, "bob"), 0, event(3), event(4));
        assertThat(out).containsExactly("started", "snapshot 2", "end FORBIDDEN");
    }

    // --- failures and closing ---------------------------------------------------------------------

    @Test
    void aFailedReadIsRetriedWithBackoffThenTheSubscriptionEnds() {
        subscription.start(OptionalLong.empty());
        long previousDelay = 0;
        for (int i = 1; i <= SubscriptionState.MAX_READ_FAILURES; i++) {
            subscription.onReadFailed(reads.remove(0)[0]);
            long[] retry = pendingRead();
            assertThat(retry[4]).as("retry %d waits", i).isGreaterThanOrEqualTo(previousDelay).isPositive();
            previousDelay = retry[4];
        }
        subscription.onReadFailed(reads.remove(0)[0]);
        assertThat(out).containsExactly("end INTERNAL");
        assertThat(reads).isEmpty();
    }

    @Test
    void aRetriedReadThatSucceedsGoesOnAsIfNothingHappened() {
        subscription.start(OptionalLong.empty());
        subscription.onReadFailed(reads.remove(0)[0]);
        answer(row(2, 1, ALICE), 0);
        assertThat(out).containsExactly("started", "snapshot 2");
    }

    @Test
    void closingWhileAReadIsPendingSendsNothingAfterwards() {
        subscription.start(OptionalLong.empty());
        long[] read = pendingRead();
        subscription.close();
        answer(read, row(2, 1, ALICE), 0, true);
        live(3);
        subscription.onDoorbell();
        assertThat(out).isEmpty();
        assertThat(reads).isEmpty();
        assertThat(subscription.isEnded()).isTrue();
    }

    @Test
    void aStaleAnswerIsIgnored() {
        liveAt(2);
        live(4);
        long[] first = reads.remove(0);
        subscription.onReadFailed(first[0]);
        long[] retry = pendingRead();
        answer(first, row(4, 1, ALICE), 0, true, event(3), event(4));
        assertThat(out).containsExactly("started", "snapshot 2");
        answer(retry, row(4, 1, ALICE), 0, true, event(3), event(4));
        assertThat(out).containsExactly("started", "snapshot 2", "logged 3", "logged 4");
    }

    // --- the history is the database's: a failover that lost commits --------------------------------------

    @Test
    void aLiveSubscriptionWhoseLastChangeTheDatabaseNoLongerHoldsIsResyncedFromTheRow() {
        liveOn(1, 2);
        liveChange(1, 3);
        // the database failed over to a standby that had version 2 only, and a worker has since committed 3 and 4
        subscription.onDoorbell();
        answerTagged(rowOf(2, 4), tag(2, 3), change(2, 4));
        assertThat(out).containsExactly("started", "snapshot 2", "live 3", "resync 4");
        assertThat(diverged).isEqualTo(1);
        assertThat(subscription.lastTag()).isEqualTo(tag(2, 4));
        liveChange(2, 5);
        assertThat(out).endsWith("live 5");
    }

    @Test
    void aLiveSubscriptionWhoseLastChangeTheDatabaseStillHoldsGoesOnWithoutAResync() {
        liveOn(1, 2);
        liveChange(1, 3);
        subscription.onDoorbell();
        answerTagged(rowOf(2, 4), tag(1, 3), change(2, 4));
        assertThat(out).containsExactly("started", "snapshot 2", "live 3", "logged 4");
        assertThat(diverged).isZero();
    }

    @Test
    void aGapReadThatFindsAnotherHistoryResyncsInsteadOfFillingTheGap() {
        liveOn(1, 2);
        liveChange(1, 3);
        liveChange(2, 5);
        assertThat(pendingRead()[1]).as("the read continues from the last version sent").isEqualTo(3);
        answerTagged(rowOf(2, 5), tag(2, 3), change(2, 4), change(2, 5));
        assertThat(out).containsExactly("started", "snapshot 2", "live 3", "resync 5");
        assertThat(diverged).isEqualTo(1);
    }

    @Test
    void aResumeWithTheTagOfALostChangeGetsASnapshotAndNeverTheNewChangesUnderItsNumber() {
        subscription.start(OptionalLong.of(3), tag(1, 3));
        answerTagged(rowOf(2, 5), tag(2, 3), change(2, 4), change(2, 5));
        assertThat(out).containsExactly("started", "resync 5");
        assertThat(diverged).isEqualTo(1);
    }

    @Test
    void aResumeWithTheTagTheDatabaseHoldsIsReplayed() {
        subscription.start(OptionalLong.of(3), tag(1, 3));
        answerTagged(rowOf(1, 5), tag(1, 3), change(1, 4), change(1, 5));
        assertThat(out).containsExactly("started", "replay 4", "replay 5");
        assertThat(diverged).isZero();
    }

    @Test
    void aResumeWithoutATagIsReplayedAsBefore() {
        // what a client written before tags is not protected from: the number alone cannot tell the histories apart
        subscription.start(OptionalLong.of(3));
        answerTagged(rowOf(2, 5), tag(2, 3), change(2, 4), change(2, 5));
        assertThat(out).containsExactly("started", "replay 4", "replay 5");
        assertThat(diverged).isZero();
    }

    @Test
    void aResumeAheadOfTheRowIsResyncedWithOrWithoutATag() {
        subscription.start(OptionalLong.of(6), tag(1, 6));
        answerTagged(rowOf(2, 4), 0);
        assertThat(out).containsExactly("started", "resync 4");
        assertThat(diverged).isEqualTo(1);
    }

    @Test
    void aResumeOlderThanRetentionIsResyncedButIsNoDivergence() {
        subscription.start(OptionalLong.of(1), tag(1, 1));
        answerTagged(Optional.of(new VideoState(VIDEO, 9, "processing", Instant.EPOCH, 5, ALICE, tag(1, 9))), 0);
        assertThat(out).containsExactly("started", "resync 9");
        assertThat(diverged).isZero();
    }

    @Test
    void aRowBehindWhatALiveClientWasSentCountsAsADivergence() {
        liveOn(1, 2);
        liveChange(1, 3);
        subscription.onDoorbell();
        answerTagged(rowOf(2, 2), 0);
        assertThat(out).containsExactly("started", "snapshot 2", "live 3", "resync 2");
        assertThat(diverged).isEqualTo(1);
    }

    @Test
    void aChangeWhoseTagIsNotKnownIsNotChecked() {
        // the row's own change is gone from the log (retention): nothing to compare the next read with
        subscription.start(OptionalLong.empty());
        answerTagged(Optional.of(new VideoState(VIDEO, 2, "processing", Instant.EPOCH, 1, ALICE, 0)), 0);
        subscription.onDoorbell();
        answerTagged(rowOf(2, 3), tag(2, 2), change(2, 3));
        assertThat(out).containsExactly("started", "snapshot 2", "logged 3");
        assertThat(diverged).isZero();
    }

    /** A change of history {@code history}: two histories share version numbers, not changes. */
    private static StatusEvent change(int history, long version) {
        return new StatusEvent(VIDEO, version, "processing", "pending", Instant.ofEpochSecond(1_000_000L * history + version));
    }

    private static long tag(int history, long version) {
        return io.videoevents.video.ChangeTag.of(change(history, version));
    }

    /** The row at {@code version} in {@code history}: its tag is that of its change. */
    private static Optional<VideoState> rowOf(int history, long version) {
        return Optional.of(new VideoState(VIDEO, version, "processing", Instant.EPOCH, 1, ALICE, tag(history, version)));
    }

    private void liveOn(int history, long version) {
        subscription.start(OptionalLong.empty());
        answerTagged(rowOf(history, version), 0);
        assertThat(reads).isEmpty();
    }

    private void liveChange(int history, long version) {
        subscription.onLive(new EventFrame(version, tag(history, version), "{\"version\":" + version + "}", 0));
    }

    /** Answers the pending read completely, with the tag the database holds at the read's {@code after}. */
    private void answerTagged(Optional<VideoState> state, long afterTag, StatusEvent... events) {
        long[] read = reads.remove(reads.size() - 1);
        subscription.onRead(read[0], new VideoRead(state, 0, null, List.of(events), true, afterTag));
    }

    // --- helpers ------------------------------------------------------------------------------------

    /** Started, snapshot at {@code version}, live. */
    private void liveAt(long version) {
        subscription.start(OptionalLong.empty());
        answer(row(version, 1, ALICE), 0);
        assertThat(reads).isEmpty();
    }

    private void live(long version) {
        subscription.onLive(new EventFrame(version, 0, "{\"version\":" + version + "}", 0));
    }

    private long[] pendingRead() {
        assertThat(reads).as("a read was asked for").isNotEmpty();
        return reads.get(reads.size() - 1);
    }

    private void answer(Optional<VideoState> state, long deletedThrough, StatusEvent... events) {
        long[] read = reads.remove(reads.size() - 1);
        answer(read, state, deletedThrough, true, events);
    }

    /** Answers the pending read with a full page: more rows follow. */
    private void answerPage(Optional<VideoState> state, StatusEvent... events) {
        long[] read = reads.remove(reads.size() - 1);
        answer(read, state, 0, false, events);
    }

    private void answer(long[] read, Optional<VideoState> state, long deletedThrough, boolean complete, StatusEvent... events) {
        reads.remove(read);
        subscription.onRead(read[0], new VideoRead(state, deletedThrough, deletedThrough > 0 ? deletedOwner : null, List.of(events),
                complete));
    }

    private static Optional<VideoState> row(long version, long oldest, String owner) {
        return Optional.of(new VideoState(VIDEO, version, "processing", Instant.EPOCH, oldest, owner));
    }

    private static StatusEvent event(long version) {
        return new StatusEvent(VIDEO, version, "processing", "pending", Instant.EPOCH);
    }
}
