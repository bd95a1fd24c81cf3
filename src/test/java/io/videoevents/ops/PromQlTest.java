package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.videoevents.support.PromQl;

/** The series names the dashboard and rule checks take from an expression: the series, and nothing else. */
class PromQlTest {

    @Test
    void aHistogramQuantileReadsItsBuckets() {
        assertThat(PromQl.seriesNames("histogram_quantile(0.99, sum by (instance, le) (rate(video_events_delivery_seconds_bucket"
                + "{namespace=~\"$namespace\", job=~\"$job\"}[$__rate_interval])))"))
                .containsExactly("video_events_delivery_seconds_bucket");
    }

    @Test
    void bothSidesOfABinaryOperationAndNoFunctions() {
        assertThat(PromQl.seriesNames("time() - video_events_retention_last_success_timestamp_seconds > 3 * 3600\n"
                + "and time() - process_start_time_seconds > 3 * 3600"))
                .containsExactly("video_events_retention_last_success_timestamp_seconds", "process_start_time_seconds");
        assertThat(PromQl.seriesNames("max by (namespace, job) (increase(a_total[10m]) + increase(b_total[10m])) > 0"))
                .containsExactly("a_total", "b_total");
        assertThat(PromQl.seriesNames("time() - x unless on (instance) (y > 0)")).containsExactly("x", "y");
    }

    @Test
    void labelsAndTheirValuesAreNoSeries() {
        // a regular expression with braces in a matcher, label lists before and after the aggregated expression
        assertThat(PromQl.seriesNames("kube_pod_status_ready{condition=\"true\", pod=~\"video-events-[a-z0-9]+-[a-z0-9]{5}\"} == 0"
                + " and on (namespace, pod) (kube_pod_status_phase{phase=~\"Pending|Running\"} == 1)"))
                .containsExactly("kube_pod_status_ready", "kube_pod_status_phase");
        assertThat(PromQl.seriesNames("sum(rate(c[5m] offset 1h)) by (le) / ignoring (le) group_left (instance) d"))
                .containsExactly("c", "d");
        assertThat(PromQl.seriesNames("e > bool 1e3")).containsExactly("e");
    }

    @Test
    void aVariableQueryReadsItsSelector() {
        assertThat(PromQl.variableSeriesNames("label_values(video_events_listener_up{namespace=~\"$namespace\"}, job)"))
                .containsExactly("video_events_listener_up");
        assertThat(PromQl.variableSeriesNames("label_values(namespace)")).isEmpty();
    }
}
