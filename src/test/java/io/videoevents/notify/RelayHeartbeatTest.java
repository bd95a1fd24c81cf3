package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.videoevents.relay.RelayHeartbeat;

/**
 * A heartbeat reads back as it was written; anything else on the subject is refused, never a crash; only the
 * holder of the key signs one, and the signature covers every field.
 */
class RelayHeartbeatTest {

    static final byte[] KEY = "a key of the trigger, for tests".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTrip() {
        RelayHeartbeat heartbeat = new RelayHeartbeat("relay-7f-1a2b3c4d", 12, true, 1_700_000_000_123L, "00ff");
        assertThat(RelayHeartbeat.parse(heartbeat.toBytes())).isEqualTo(heartbeat);
        assertThat(RelayHeartbeat.parse(new RelayHeartbeat("r", 0, false, 1, null).toBytes()))
                .isEqualTo(new RelayHeartbeat("r", 0, false, 1, null));
    }

    @Test
    void refusesWhatIsNoHeartbeat() {
        for (String bad : new String[] { "", "[]", "{}", "not json", "{\"relay\":\"r\",\"generation\":1}",
                "{\"relay\":\"r\",\"generation\":-1,\"listening\":true}", "{\"relay\":1,\"generation\":1,\"listening\":true}",
                "{\"relay\":\"r\",\"generation\":1,\"listening\":\"yes\"}", "{\"relay\":\"\",\"generation\":1,\"listening\":true}",
                "{\"relay\":\"a\\nb\",\"generation\":1,\"listening\":true}", "{\"relay\":\"r\",\"generation\":1,\"listening\":true,\"at\":-5}",
                "{\"relay\":\"r\",\"generation\":1,\"listening\":true,\"at\":\"soon\"}" }) {
            assertThatThrownBy(() -> RelayHeartbeat.parse(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theSignatureCoversEveryFieldAndNeedsTheKey() {
        NotificationSignature relay = new NotificationSignature(KEY);
        NotificationSignature replica = new NotificationSignature(KEY);
        String sig = relay.signHeartbeat("relay-1", 4, true, 1_700_000_000_000L);
        RelayHeartbeat signed = new RelayHeartbeat("relay-1", 4, true, 1_700_000_000_000L, sig);
        assertThat(replica.verifyHeartbeat(RelayHeartbeat.parse(signed.toBytes()))).isTrue();

        assertThat(replica.verifyHeartbeat(new RelayHeartbeat("relay-2", 4, true, 1_700_000_000_000L, sig))).as("relay").isFalse();
        assertThat(replica.verifyHeartbeat(new RelayHeartbeat("relay-1", 5, true, 1_700_000_000_000L, sig))).as("generation").isFalse();
        assertThat(replica.verifyHeartbeat(new RelayHeartbeat("relay-1", 4, false, 1_700_000_000_000L, sig))).as("listening").isFalse();
        assertThat(replica.verifyHeartbeat(new RelayHeartbeat("relay-1", 4, true, 1_700_000_000_001L, sig))).as("time").isFalse();
        assertThat(replica.verifyHeartbeat(new RelayHeartbeat("relay-1", 4, true, 1_700_000_000_000L, null))).as("none").isFalse();
        assertThat(replica.verifyHeartbeat(new RelayHeartbeat("relay-1", 4, true, 1_700_000_000_000L, "zz" + sig.substring(2))))
                .as("not hex").isFalse();
        NotificationSignature otherKey = new NotificationSignature("another key".getBytes(StandardCharsets.UTF_8));
        assertThat(otherKey.verifyHeartbeat(signed)).as("another key").isFalse();
    }

    @Test
    void aHeartbeatsSignatureIsNeverAStatusSignature() {
        // the same fields, read as a status by someone who copies the signature: the contents differ
        NotificationSignature key = new NotificationSignature(KEY);
        String heartbeat = key.signHeartbeat("1", 2, true, 3);
        assertThat(key.verify("#heartbeat", 1, "2", "true", 3, null, heartbeat)).isFalse();
    }
}
