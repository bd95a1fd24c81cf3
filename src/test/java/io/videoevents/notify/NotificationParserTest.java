package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The payloads the triggers send, and everything else that may arrive on the channel. No database. */
class NotificationParserTest {

    @Test
    void readsAStatusEventWithItsSignatureAndCommitTime() {
        var parsed = NotificationParser.parse("{\"videoId\" : \"v-1\", \"version\" : 3, \"status\" : \"processed\","
                + " \"previousStatus\" : \"processing\", \"occurredAt\" : 1796061242996849, \"sig\" : \"00ff\"}");
        assertThat(parsed).isInstanceOf(NotificationParser.Status.class);
        var status = (NotificationParser.Status) parsed;
        assertThat(status.event().videoId()).isEqualTo("v-1");
        assertThat(status.event().version()).isEqualTo(3);
        assertThat(status.event().status()).isEqualTo("processed");
        assertThat(status.event().previousStatus()).isEqualTo("processing");
        assertThat(status.event().occurredAt()).isEqualTo(Instant.ofEpochSecond(1796061242L, 996_849_000L));
        assertThat(status.occurredAtMicros()).isEqualTo(1796061242996849L);
        assertThat(status.signature()).isEqualTo("00ff");
        assertThat(status.traceparent()).isNull();
    }

    @Test
    void readsTheTraceparentOfATracedChange() {
        var status = (NotificationParser.Status) NotificationParser.parse("{\"videoId\":\"v\",\"version\":2,\"status\":\"processing\","
                + "\"previousStatus\":\"pending\",\"occurredAt\":1,\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\","
                + "\"sig\":\"00ff\"}");
        assertThat(status.traceparent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void versionOneHasNoPreviousStatusAndAMissingSignatureIsNull() {
        var status = (NotificationParser.Status) NotificationParser.parse(
                "{\"videoId\":\"v\",\"version\":1,\"status\":\"pending\",\"previousStatus\":null,\"occurredAt\":-5}");
        assertThat(status.event().previousStatus()).isNull();
        assertThat(status.signature()).isNull();
        assertThat(status.event().occurredAt()).as("before 1970 rounds down").isEqualTo(Instant.ofEpochSecond(-1, 999_995_000L));
    }

    @Test
    void readsTheTwoDoorbells() {
        assertThat(NotificationParser.parse("{\"kind\" : \"deleted\", \"videoId\" : \"v-1\"}"))
                .isEqualTo(new NotificationParser.Deleted("v-1"));
        assertThat(NotificationParser.parse("{\"kind\":\"access\",\"videoId\":\"v-2\"}"))
                .isEqualTo(new NotificationParser.AccessChanged("v-2"));
    }

    @Test
    void unknownFieldsAreSkipped() {
        var status = (NotificationParser.Status) NotificationParser.parse("{\"extra\":{\"a\":[1,2]},\"videoId\":\"v\","
                + "\"version\":2,\"status\":\"failed\",\"previousStatus\":\"pending\",\"occurredAt\":1}");
        assertThat(status.event().version()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json at all",
            "[1, 2]",
            "{\"videoId\":\"v\",\"version\":\"2\",\"status\":\"failed\",\"occurredAt\":1}",
            "{\"videoId\":\"v\",\"version\":0,\"status\":\"failed\",\"occurredAt\":1}",
            "{\"videoId\":\"v\",\"version\":2,\"occurredAt\":1}",
            "{\"videoId\":\"v\",\"version\":2,\"status\":\"failed\"}",
            "{\"version\":2,\"status\":\"failed\",\"occurredAt\":1}",
            "{\"videoId\":7,\"version\":2,\"status\":\"failed\",\"occurredAt\":1}",
            "{\"kind\":\"deleted\"}",
            "{\"kind\":\"renamed\",\"videoId\":\"v\"}",
            "{\"videoId\":\"v\",\"version\":2,\"status\":\"failed\",\"occurredAt\":1} trailing",
            "{\"videoId\":\"v\",\"version\":2,\"status\":\"failed\",\"occurredAt\":1.5}",
            "" })
    void anythingElseIsRefused(String payload) {
        assertThatThrownBy(() -> NotificationParser.parse(payload)).isInstanceOf(IllegalArgumentException.class);
    }
}
