package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** A heartbeat reads back as it was written; anything else on the subject is refused, never a crash. */
class RelayHeartbeatTest {

    @Test
    void roundTrip() {
        RelayHeartbeat heartbeat = new RelayHeartbeat("relay-7f-1a2b3c4d", 12, true);
        assertThat(RelayHeartbeat.parse(heartbeat.toBytes())).isEqualTo(heartbeat);
        assertThat(RelayHeartbeat.parse(new RelayHeartbeat("r", 0, false).toBytes()).listening()).isFalse();
    }

    @Test
    void refusesWhatIsNoHeartbeat() {
        for (String bad : new String[] { "", "[]", "{}", "not json", "{\"relay\":\"r\",\"generation\":1}",
                "{\"relay\":\"r\",\"generation\":-1,\"listening\":true}", "{\"relay\":1,\"generation\":1,\"listening\":true}",
                "{\"relay\":\"r\",\"generation\":1,\"listening\":\"yes\"}", "{\"relay\":\"\",\"generation\":1,\"listening\":true}" }) {
            assertThatThrownBy(() -> RelayHeartbeat.parse(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
