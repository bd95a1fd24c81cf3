package io.videoevents.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.videoevents.relay.RelayWatch.Signal;

/** The rules a replica in nats mode follows on the relays' heartbeats, case by case (no NATS, no clock). */
class RelayWatchTest {

    static final long SECOND = 1_000_000_000L;
    /** 3 heartbeats of 1 s. */
    final RelayWatch watch = new RelayWatch(3 * SECOND, 10_000);

    @Test
    void theFirstListeningRelayStartsTheFlowAndItsPeerAtStartUpOnlyAsksForAReadOfNothing() {
        assertThat(watch.up()).isFalse();
        assertThat(watch.problem()).isNotNull();
        assertThat(watch.heartbeat("a", 1, true, 0)).isEqualTo(Signal.LISTENING);
        assertThat(watch.up()).isTrue();
        assertThat(watch.problem()).isNull();
        assertThat(watch.heartbeat("a", 1, true, SECOND)).isEqualTo(Signal.NONE);
        // a second relay first heard: its LISTEN is new to this replica, so subscribers check the log
        assertThat(watch.heartbeat("b", 1, true, SECOND)).isEqualTo(Signal.LISTENING);
        assertThat(watch.heartbeat("b", 1, true, 2 * SECOND)).isEqualTo(Signal.NONE);
        assertThat(watch.listeningRelays(2 * SECOND)).isEqualTo(2);
    }

    @Test
    void aRelayThatListensAnewMakesSubscribersCheckTheLogEvenWithItsPeerUp() {
        watch.heartbeat("a", 1, true, 0);
        watch.heartbeat("b", 1, true, 0);
        assertThat(watch.heartbeat("b", 1, false, SECOND)).as("b lost its LISTEN; a still listens").isEqualTo(Signal.NONE);
        assertThat(watch.up()).isTrue();
        assertThat(watch.listeningRelays(SECOND)).isEqualTo(1);
        assertThat(watch.heartbeat("b", 2, true, 2 * SECOND)).isEqualTo(Signal.LISTENING);
        // the same relay, a new generation without a down heartbeat in between (it could not publish something)
        assertThat(watch.heartbeat("b", 3, true, 3 * SECOND)).isEqualTo(Signal.LISTENING);
    }

    @Test
    void silenceForTheWholeWindowStopsTheFlowAndTheNextHeartbeatRepairs() {
        watch.heartbeat("a", 1, true, 0);
        assertThat(watch.tick(2 * SECOND)).isEqualTo(Signal.NONE);
        assertThat(watch.tick(3 * SECOND)).as("exactly the window: still up").isEqualTo(Signal.NONE);
        assertThat(watch.tick(3 * SECOND + 1)).isEqualTo(Signal.LOST);
        assertThat(watch.up()).isFalse();
        assertThat(watch.problem()).contains("no heartbeat");
        assertThat(watch.tick(4 * SECOND)).as("said once").isEqualTo(Signal.NONE);
        assertThat(watch.heartbeat("a", 1, true, 5 * SECOND)).as("the same LISTEN, heard again").isEqualTo(Signal.LISTENING);
        assertThat(watch.up()).isTrue();
    }

    @Test
    void aRelayThatSaysItsListenIsDownWhenNoOtherListensStopsTheFlowAtOnce() {
        watch.heartbeat("a", 1, true, 0);
        assertThat(watch.heartbeat("a", 1, false, SECOND)).isEqualTo(Signal.LOST);
        assertThat(watch.problem()).contains("LISTEN");
        assertThat(watch.heartbeat("a", 2, true, 2 * SECOND)).isEqualTo(Signal.LISTENING);
    }

    @Test
    void aHeartbeatOfARelayWhoseListenIsDownStartsNothing() {
        assertThat(watch.heartbeat("a", 0, false, 0)).isEqualTo(Signal.NONE);
        assertThat(watch.up()).isFalse();
    }

    @Test
    void aLostConnectionStopsTheFlowAndTheFirstHeartbeatAfterItRepairsWhateverTheGeneration() {
        watch.heartbeat("a", 1, true, 0);
        watch.heartbeat("b", 1, true, 0);
        assertThat(watch.disconnected()).isEqualTo(Signal.LOST);
        assertThat(watch.problem()).contains("NATS");
        assertThat(watch.disconnected()).isEqualTo(Signal.NONE);
        assertThat(watch.heartbeat("a", 1, true, SECOND)).isEqualTo(Signal.LISTENING);
        assertThat(watch.heartbeat("b", 1, true, SECOND)).as("b's LISTEN is the one already known").isEqualTo(Signal.NONE);
    }

    @Test
    void droppedMessagesRepairWhileUpAndAreNothingWhileDown() {
        assertThat(watch.messagesDropped()).isEqualTo(Signal.NONE);
        watch.heartbeat("a", 1, true, 0);
        assertThat(watch.messagesDropped()).isEqualTo(Signal.LISTENING);
        assertThat(watch.up()).isTrue();
    }

    @Test
    void aRelayGoneForLongIsForgotten() {
        watch.heartbeat("a", 1, true, 0);
        watch.heartbeat("b", 1, true, 0);
        for (long t = 1; t <= 40; t++) {
            watch.heartbeat("a", 1, true, t * SECOND);
            watch.tick(t * SECOND);
        }
        assertThat(watch.listeningRelays(40 * SECOND)).isEqualTo(1);
        assertThat(watch.heartbeat("b", 1, true, 41 * SECOND)).as("b comes back after being forgotten").isEqualTo(Signal.LISTENING);
    }

    @Test
    void aHeartbeatIsTakenOnlyWhenItsTimeIsNewForItsRelayAndNearThisClock() {
        long wall = 1_700_000_000_000L;
        assertThat(watch.timely("a", wall, wall, 0)).isTrue();
        assertThat(watch.timely("a", wall, wall + 5, SECOND)).as("the same heartbeat again").isFalse();
        assertThat(watch.timely("a", wall - 1, wall + 5, SECOND)).as("an older one of the same relay").isFalse();
        assertThat(watch.timely("a", wall + 1, wall + 5, SECOND)).isTrue();
        assertThat(watch.timely("b", wall, wall + 5, SECOND)).as("another relay keeps its own times").isTrue();
        // a copy of a heartbeat this replica never saw: taken only while near this replica's clock
        assertThat(watch.timely("c", wall - 10_001, wall, SECOND)).as("too old").isFalse();
        assertThat(watch.timely("c", wall + 10_001, wall, SECOND)).as("too far ahead").isFalse();
        assertThat(watch.timely("c", wall - 10_000, wall, SECOND)).isTrue();
    }

    @Test
    void aRelaysLastTimeIsKeptUntilItsHeartbeatsAreTooOldToBeTakenAnyway() {
        long wall = 1_700_000_000_000L;
        assertThat(watch.timely("a", wall, wall, 0)).isTrue();
        // long after the relay fell silent: its last time is forgotten, and a copy of its last heartbeat is too old
        long later = 31 * SECOND;
        watch.tick(later);
        assertThat(watch.timely("a", wall, wall + 31_000, later)).isFalse();
        // while the time is kept, a copy is refused even where the clock alone would let it in
        RelayWatch other = new RelayWatch(3 * SECOND, 10_000);
        assertThat(other.timely("a", wall, wall, 0)).isTrue();
        other.tick(29 * SECOND);
        assertThat(other.timely("a", wall, wall, 29 * SECOND)).isFalse();
    }
}
