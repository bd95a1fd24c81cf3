package io.videoevents.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The arithmetic of {@code compare --rounds}: the order of the services per round and the summary's figures. */
class CompareRoundsTest {

    @Test
    void everyOtherRoundRunsTheServicesTheOtherWayRound() {
        List<String> services = List.of(Compare.VIDEO_EVENTS, Compare.BRIDGE);
        assertThat(Compare.order(services, 0)).containsExactly(Compare.VIDEO_EVENTS, Compare.BRIDGE);
        assertThat(Compare.order(services, 1)).containsExactly(Compare.BRIDGE, Compare.VIDEO_EVENTS);
        assertThat(Compare.order(services, 2)).containsExactly(Compare.VIDEO_EVENTS, Compare.BRIDGE);
        assertThat(Compare.order(services, 3)).containsExactly(Compare.BRIDGE, Compare.VIDEO_EVENTS);
        assertThat(services).as("the options' own list is left alone").containsExactly(Compare.VIDEO_EVENTS, Compare.BRIDGE);
    }

    @Test
    void theMedianOfAnOddCountIsItsMiddleAndOfAnEvenCountTheMeanOfBothMiddles() {
        assertThat(Compare.median(List.of(31.6))).isEqualTo(31.6);
        assertThat(Compare.median(List.of(19.5, 5.88, 10.6))).isEqualTo(10.6);
        assertThat(Compare.median(List.of(32.3, 29.1, 31.4, 31.8))).isEqualTo((31.4 + 31.8) / 2);
    }

    @Test
    void aSpreadGivesTheMedianAndTheRangeOrNothingWhenThereIsNoFigure() {
        assertThat(Compare.spread(List.of(220.0, 206.0, 246.0, 219.0), "µs")).isEqualTo("220 µs (206–246)");
        assertThat(Compare.spread(List.of(5.19), "KiB")).isEqualTo("5.19 KiB");
        assertThat(Compare.spread(List.of(), "ms")).isEqualTo("n/a");
    }
}
