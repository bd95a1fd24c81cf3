package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.videoevents.support.PackagedApp;
import io.videoevents.support.ThrowawayDatabase;

/**
 * Fan-out settings that cannot work stop the packaged application at start, naming what to set, instead of
 * leaving an instance that never receives a live event: the relay role without nats mode, and nats mode without
 * a NATS server.
 */
class FanoutSettingsIT {

    static ThrowawayDatabase db;

    @BeforeAll
    static void database() {
        db = new ThrowawayDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    private static Map<String, String> with(String... keysAndValues) {
        Map<String, String> settings = new HashMap<>(db.settings());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            settings.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return settings;
    }

    @Test
    void aRelayInListenModeDoesNotStart() {
        String log = PackagedApp.startMustFail("fanout-relay-listen", with("video-events.fanout.role", "relay"));
        assertThat(log).contains("video-events.fanout.role=relay needs video-events.fanout.mode=nats");
    }

    @Test
    void natsModeWithoutAServerDoesNotStart() {
        String log = PackagedApp.startMustFail("fanout-nats-no-url", with("video-events.fanout.mode", "nats"));
        assertThat(log).contains("VIDEO_EVENTS_FANOUT_NATS_URL");
    }
}
