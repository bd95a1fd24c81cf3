package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.videoevents.socket.ClientMessage.Auth;
import io.videoevents.socket.ClientMessage.Invalid;
import io.videoevents.socket.ClientMessage.Subscribe;
import io.videoevents.socket.ClientMessage.Unsubscribe;

/**
 * What a client may send on {@code /events} (contract section 2), read without a server: the three
 * documented shapes are understood, and anything else becomes an {@code Invalid} with the reason the
 * client is told, never an exception.
 */
class ClientMessageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ClientMessage parse(String text) {
        return ClientMessage.parse(text, JSON);
    }

    private static Invalid invalid(String text) {
        ClientMessage message = parse(text);
        assertThat(message).as("parsed %s", text).isInstanceOf(Invalid.class);
        return (Invalid) message;
    }

    // --- subscribe ---------------------------------------------------------------------------------

    @Test
    void subscribeWithoutAfterMeansSnapshotThenLive() {
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-123\"}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.empty()));
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-123\",\"after\":null}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.empty()));
    }

    @Test
    void subscribeWithAfterIsAResumeFromThatVersion() {
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-123\",\"after\":4}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.of(4)));
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-123\",\"after\":0}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.of(0)));
        assertThat(parse("{\"after\":" + Long.MAX_VALUE + ",\"videoId\":\"v-123\",\"type\":\"subscribe\"}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.of(Long.MAX_VALUE)));
    }

    @Test
    void subscribeWithAfterAndTagResumesFromThatChange() {
        String tag = io.videoevents.video.ChangeTag.text(0x1234_5678_9abcL);
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-123\",\"after\":4,\"tag\":\"" + tag + "\"}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.of(4), 0x1234_5678_9abcL));
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-123\",\"after\":4,\"tag\":null}"))
                .isEqualTo(new Subscribe("v-123", OptionalLong.of(4)));
    }

    @Test
    void aTagThatIsNotOneTheServiceWroteOrComesWithoutAfterIsRefused() {
        for (String tag : new String[] { "\"short\"", "\"AAAAAAAA\"", "\"toolong123\"", "\"a+b/cdef\"", "12345678", "{}" }) {
            Invalid invalid = invalid("{\"type\":\"subscribe\",\"videoId\":\"v-1\",\"after\":2,\"tag\":" + tag + "}");
            assertThat(invalid.reason()).as(tag).isEqualTo(io.videoevents.video.ChangeTag.RULE);
            assertThat(invalid.videoId()).isEqualTo("v-1");
        }
        assertThat(invalid("{\"type\":\"subscribe\",\"videoId\":\"v-1\",\"tag\":\"AAAAAAAB\"}").reason())
                .contains("tag goes with after");
    }

    @Test
    void fieldsTheContractDoesNotNameAreIgnored() {
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"v-1\",\"extra\":{\"x\":[1,2]}}"))
                .isEqualTo(new Subscribe("v-1", OptionalLong.empty()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "-1", "1.5", "1e3", "\"4\"", "true", "[4]", "{}", "99999999999999999999999" })
    void afterMustBeANonNegativeInteger(String after) {
        Invalid invalid = invalid("{\"type\":\"subscribe\",\"videoId\":\"v-1\",\"after\":" + after + "}");
        assertThat(invalid.reason()).startsWith("after must be a non-negative integer");
        // the id was readable, so the error can name the subscription it concerns
        assertThat(invalid.videoId()).isEqualTo("v-1");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "\"\"", "\"has space\"", "\"semi;colon\"", "\"slash/\"", "\"ü\"", "42", "null", "[\"v-1\"]" })
    void aSubscribeNeedsAVideoIdOfTheContractsRule(String videoId) {
        String text = videoId.isEmpty() ? "{\"type\":\"subscribe\"}" : "{\"type\":\"subscribe\",\"videoId\":" + videoId + "}";
        Invalid invalid = invalid(text);
        assertThat(invalid.reason()).startsWith("videoId must be 1 to 200 characters");
        assertThat(invalid.videoId()).isNull();
    }

    @Test
    void videoIdsAreOneToTwoHundredCharactersOfTheAllowedSet() {
        String longest = "a".repeat(200);
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"" + longest + "\"}"))
                .isEqualTo(new Subscribe(longest, OptionalLong.empty()));
        assertThat(parse("{\"type\":\"subscribe\",\"videoId\":\"A-z_0.9:x\"}"))
                .isEqualTo(new Subscribe("A-z_0.9:x", OptionalLong.empty()));
        assertThat(invalid("{\"type\":\"subscribe\",\"videoId\":\"" + "a".repeat(201) + "\"}").videoId()).isNull();
        assertThat(invalid("{\"type\":\"subscribe\",\"videoId\":\"v-1\\n\"}").videoId()).isNull();
    }

    // --- unsubscribe -------------------------------------------------------------------------------

    @Test
    void unsubscribeNamesOneVideo() {
        assertThat(parse("{\"type\":\"unsubscribe\",\"videoId\":\"v-123\"}")).isEqualTo(new Unsubscribe("v-123"));
        assertThat(invalid("{\"type\":\"unsubscribe\"}").reason()).startsWith("videoId must be");
        assertThat(invalid("{\"type\":\"unsubscribe\",\"videoId\":\"'; DROP TABLE videos; --\"}").reason())
                .startsWith("videoId must be");
    }

    // --- auth --------------------------------------------------------------------------------------

    @Test
    void authCarriesATokenThatNeverShowsInItsText() {
        ClientMessage message = parse("{\"type\":\"auth\",\"token\":\"eyJ.secret.sig\"}");
        assertThat(message).isEqualTo(new Auth("eyJ.secret.sig"));
        assertThat(message.toString()).doesNotContain("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"type\":\"auth\"}", "{\"type\":\"auth\",\"token\":\"\"}", "{\"type\":\"auth\",\"token\":\"  \"}",
            "{\"type\":\"auth\",\"token\":42}", "{\"type\":\"auth\",\"token\":null}", "{\"type\":\"auth\",\"token\":[\"a\"]}" })
    void authNeedsATokenString(String text) {
        assertThat(invalid(text).reason()).startsWith("auth needs a token");
    }

    // --- everything else ---------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "{\"videoId\":\"v-1\"}", "{\"type\":1,\"videoId\":\"v-1\"}", "{\"type\":null}",
            "{\"type\":[\"subscribe\"],\"videoId\":\"v-1\"}" })
    void aMessageNeedsATextType(String text) {
        assertThat(invalid(text).reason()).startsWith("type is required");
    }

    @Test
    void theFeedIsSubscribedWithOrWithoutACursor() {
        assertThat(parse("{\"type\":\"subscribeFeed\"}")).isEqualTo(new ClientMessage.SubscribeFeed(java.util.Optional.empty()));
        assertThat(parse("{\"type\":\"subscribeFeed\",\"cursor\":null}"))
                .isEqualTo(new ClientMessage.SubscribeFeed(java.util.Optional.empty()));
        assertThat(parse("{\"type\":\"subscribeFeed\",\"cursor\":\"c.10.2\"}"))
                .isEqualTo(new ClientMessage.SubscribeFeed(java.util.Optional.of(new io.videoevents.video.FeedCursor.Log(10, 2))));
        assertThat(parse("{\"type\":\"unsubscribeFeed\"}")).isEqualTo(new ClientMessage.UnsubscribeFeed());
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"c.1\"", "12", "\"\"", "{}", "\"s.1.***\"" })
    void aFeedCursorMustBeOneTheServiceGave(String cursor) {
        Invalid invalid = invalid("{\"type\":\"subscribeFeed\",\"cursor\":" + cursor + "}");
        assertThat(invalid.reason()).isEqualTo(io.videoevents.video.FeedCursor.RULE);
        assertThat(invalid.feed()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "Subscribe", "SUBSCRIBE", "ping", "", "subscribe ", "subscribefeed" })
    void onlyTheDocumentedTypesExist(String type) {
        assertThat(invalid("{\"type\":\"" + type + "\",\"videoId\":\"v-1\"}").reason()).startsWith("unknown type");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "   ", "[]", "[{\"type\":\"subscribe\",\"videoId\":\"v-1\"}]", "42", "\"subscribe\"", "null",
            "true" })
    void aMessageMustBeAnObject(String text) {
        assertThat(invalid(text).reason()).isEqualTo("a message must be a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{", "{\"type\":", "{'type':'subscribe'}", "not json", "{\"type\":\"subscribe\",}", "\u0000",
            "{\"type\":\"subscribe\",\"videoId\":\"v-1\"}}", "{\"type\":\"subscribe\",\"videoId\":\"v-1\"} {}",
            "{\"type\":\"subscribe\",\"videoId\":\"v-1\"} x" })
    void malformedJsonIsRefusedNotThrown(String text) {
        assertThat(invalid(text).reason()).isEqualTo("malformed JSON");
    }

    @Test
    void absurdNestingIsRefusedNotThrown() {
        assertThat(invalid("[".repeat(5000)).reason()).isEqualTo("malformed JSON");
        assertThat(invalid("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)).reason()).isEqualTo("malformed JSON");
    }
}
