package io.videoevents.notify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * What a relay says about itself on the heartbeat subject, once a second and whenever its LISTEN starts or
 * stops: {@code {"relay":…,"generation":…,"listening":…}}. The generation grows with each LISTEN of that relay
 * (and each notification it could not publish), so a replica can tell a relay that may have missed something.
 */
record RelayHeartbeat(String relay, long generation, boolean listening) {

    private static final JsonFactory JSON = new JsonFactory();

    byte[] toBytes() {
        // the id is made of [A-Za-z0-9._-] (NatsRelay), so no escaping is needed
        return ("{\"relay\":\"" + relay + "\",\"generation\":" + generation + ",\"listening\":" + listening + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when the bytes are not a heartbeat */
    static RelayHeartbeat parse(byte[] data) {
        String relay = null;
        long generation = -1;
        Boolean listening = null;
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "relay" -> relay = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "generation" -> generation = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "listening" -> listening = value.isBoolean() ? value == JsonToken.VALUE_TRUE : null;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getClass().getSimpleName());
        }
        if (relay == null || relay.isEmpty() || relay.length() > 200 || generation < 0 || listening == null) {
            throw new IllegalArgumentException("missing or invalid relay, generation or listening");
        }
        return new RelayHeartbeat(relay, generation, listening);
    }
}
