package io.videoevents.support;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The log of a packaged instance, which the prod profile writes as one JSON object per line
 * (quarkus-logging-json: {@code level}, {@code loggerName}, {@code message}, {@code mdc}, {@code exception} …).
 */
public final class JsonLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLog() {
    }

    /** The line as a JSON object, or empty when it is none. */
    public static Optional<JsonNode> record(String line) {
        if (!line.startsWith("{")) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(line);
            return node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** Every line of {@code log} that is a JSON object, in order. */
    public static List<JsonNode> records(String log) {
        return log.lines().map(JsonLog::record).flatMap(Optional::stream).toList();
    }

    /** Whether the line is a record at WARN or ERROR, in JSON or in the plain format of dev and test. */
    public static boolean isWarningOrError(String line) {
        return record(line).map(r -> r.path("level").asText().matches("WARN|WARNING|ERROR|SEVERE|FATAL"))
                .orElse(line.contains(" WARN ") || line.contains(" ERROR "));
    }
}
