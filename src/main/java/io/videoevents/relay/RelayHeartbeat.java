package io.videoevents.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * What a relay says about itself on the heartbeat subject, once a second and whenever its LISTEN starts or
 * stops: {@code {"relay":…,"generation":…,"listening":…,"at":…,"sig":…}}. The generation grows with each LISTEN of
 * that relay (and each notification it could not publish), so a replica can tell a relay that may have missed
 * something. {@code at} is the relay's clock (epoch milliseconds) and {@code sig} its signature with the trigger's
 * key ({@link HeartbeatKey#signHeartbeat}, held by {@code notify.NotificationSignature}): only a process that can read the key can say a LISTEN is up,
 * and an old heartbeat sent again is refused by its time.
 */
public record RelayHeartbeat(String relay, long generation, boolean listening, long at, String sig) {

    private static final JsonFactory JSON = new JsonFactory();
    /** The characters a relay id is made of (NatsRelay), so that it never changes the lines of the signed content. */
    private static final java.util.regex.Pattern RELAY_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public byte[] toBytes() {
        // the id is made of [A-Za-z0-9._-] (NatsRelay) and the signature of hex digits, so no escaping is needed
        return ("{\"relay\":\"" + relay + "\",\"generation\":" + generation + ",\"listening\":" + listening + ",\"at\":" + at
                + (sig == null ? "" : ",\"sig\":\"" + sig + "\"") + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a heartbeat's fields; an absent {@code at} reads as 0 and an absent {@code sig} as null, which the
     * signature check then refuses.
     *
     * @throws IllegalArgumentException when the bytes are not a heartbeat
     */
    public static RelayHeartbeat parse(byte[] data) {
        String relay = null;
        long generation = -1;
        Boolean listening = null;
        long at = 0;
        String sig = null;
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
                    case "at" -> at = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "sig" -> sig = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getClass().getSimpleName());
        }
        if (relay == null || !RELAY_ID.matcher(relay).matches() || generation < 0 || listening == null || at < 0) {
            throw new IllegalArgumentException("missing or invalid relay, generation, listening or at");
        }
        return new RelayHeartbeat(relay, generation, listening, at, sig);
    }
}
