package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.videoevents.subscription.ServerMessage;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** docs/asyncapi.yaml is valid YAML and describes every message type the service sends and reads, by its real name. */
class AsyncApiTest {

    @Test
    void everyMessageTypeIsDescribed() throws Exception {
        JsonNode spec = new YAMLMapper().readTree(new File("docs/asyncapi.yaml"));
        List<String> described = new ArrayList<>();
        spec.path("components").path("messages").forEach(message -> described.add(message.path("payload").path("properties")
                .path("type").path("const").asText()));

        List<String> sent = new ArrayList<>();
        for (Class<?> type : ServerMessage.class.getPermittedSubclasses()) {
            sent.add((String) type.getMethod("type").invoke(instance(type)));
        }
        List<String> read = Arrays.stream(ClientMessage.TYPES.replace(" or ", ", ").split(", ")).toList();

        assertThat(sent).hasSize(ServerMessage.class.getPermittedSubclasses().length).contains("feed", "feedSnapshot");
        assertThat(described).containsAll(sent).containsAll(read);
    }

    /** A record with every component at its default: enough to ask it for its constant type. */
    private static Object instance(Class<?> record) throws ReflectiveOperationException, IOException {
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Constructor<?> canonical = record.getDeclaredConstructor(types);
        canonical.setAccessible(true);
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = types[i] == long.class ? 0L : types[i] == boolean.class ? false : types[i] == int.class ? 0 : null;
        }
        return canonical.newInstance(args);
    }
}
