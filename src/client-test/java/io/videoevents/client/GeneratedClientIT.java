package io.videoevents.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.videoevents.client.api.FeedApi;
import io.videoevents.client.api.VideosApi;
import io.videoevents.client.model.CreateVideo;
import io.videoevents.client.model.FeedPage;
import io.videoevents.client.model.FeedVideo;
import io.videoevents.client.model.Problem;
import io.videoevents.client.model.StatusChange;
import io.videoevents.client.model.StatusEvent;
import io.videoevents.client.model.Video;
import io.videoevents.client.model.VideoStatus;
import io.videoevents.support.EmbeddedDatabase;
import io.videoevents.support.Ids;
import io.videoevents.support.TestAuthKeys;
import io.videoevents.support.TestTokens;

/**
 * The client that the build generates from the OpenAPI document (openapi-generator's Java {@code native} library;
 * pom.xml, docs/api.md), used against the packaged application in its production profile with authentication on:
 * what the document promises is what the service does. The client reads every body strictly, so a field the document
 * does not declare fails the test, and every refusal must be one the document declares for its operation.
 *
 * <p>It lives in src/client-test/java, in the generated client's package, because it is compiled after the package
 * phase, once quarkus:build has stored the document and the client has been generated from it.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedDatabase.class)
@WithTestResource(TestAuthKeys.class)
class GeneratedClientIT {

    /** What the client was generated from, as quarkus:build stored it. */
    static final Path STORED = Path.of("target", "openapi", "openapi.json");
    static final String WRITER = TestTokens.withGroups("worker-1", "video-writer");
    static final String ADMIN = TestTokens.withGroups("ops", "video-admin");

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Test
    void theServiceServesTheDocumentTheClientWasGeneratedFrom() throws Exception {
        HttpResponse<String> served = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.resolve("q/openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(served.statusCode()).isEqualTo(200);
        JsonNode document = JSON.readTree(served.body());
        assertThat(document).isEqualTo(stored());

        // every operation needs the bearer token, as the service does while authentication is on
        List<String> operations = new ArrayList<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            operations.add(operation.getValue().get("operationId").asText());
            assertThat(operation.getValue().get("security")).as("security of %s", operation.getKey() + " " + path.getKey())
                    .isEqualTo(JSON.createArrayNode().add(JSON.createObjectNode().set("bearer", JSON.createArrayNode())));
        }));
        assertThat(operations).containsExactlyInAnyOrder("createVideo", "getVideo", "listVideos", "changeVideoStatus",
                "getVideoHistory", "getFeed");
        JsonNode bearer = document.at("/components/securitySchemes/bearer");
        assertThat(bearer.get("type").asText()).isEqualTo("http");
        assertThat(bearer.get("scheme").asText()).isEqualTo("bearer");
        assertThat(bearer.get("bearerFormat").asText()).isEqualTo("JWT");

        // the statuses the document lists are the service's own
        List<String> statuses = new ArrayList<>();
        document.at("/components/schemas/VideoStatus/enum").forEach(status -> statuses.add(status.asText()));
        assertThat(statuses).containsExactly(
                java.util.Arrays.stream(VideoStatus.values()).map(VideoStatus::getValue).toArray(String[]::new));
        assertThat(String.join(", ", statuses)).isEqualTo(io.videoevents.video.VideoStatus.allowed());
    }

    @Test
    void aWriterRegistersAVideoAndChangesItsStatusItsOwnerReadsItAndItsHistory() throws ApiException {
        VideosApi writer = new VideosApi(client(WRITER));
        String id = Ids.fresh("client");

        Video created = writer.createVideo(new CreateVideo().id(id).rawFilePath("/uploads/client.mp4").ownerId("alice"));
        assertThat(created.getId()).isEqualTo(id);
        assertThat(created.getStatus()).isEqualTo(VideoStatus.PENDING);
        assertThat(created.getVersion()).isEqualTo(1);
        assertThat(created.getOwnerId()).isEqualTo("alice");
        assertThat(created.getProcessedFilePath()).isNull();
        assertThat(created.getCreatedAt()).isNotNull();

        Video changed = writer.changeVideoStatus(id, new StatusChange().status(VideoStatus.PROCESSING));
        assertThat(changed.getStatus()).isEqualTo(VideoStatus.PROCESSING);
        assertThat(changed.getVersion()).isEqualTo(2);

        VideosApi alice = new VideosApi(client(TestTokens.user("alice")));
        Video read = alice.getVideo(id);
        assertThat(read.getStatus()).isEqualTo(VideoStatus.PROCESSING);
        assertThat(read.getVersion()).isEqualTo(2);

        List<StatusEvent> history = alice.getVideoHistory(id, null, null);
        assertThat(history).extracting(StatusEvent::getVersion, StatusEvent::getStatus, StatusEvent::getPreviousStatus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, VideoStatus.PENDING, null),
                        org.assertj.core.groups.Tuple.tuple(2L, VideoStatus.PROCESSING, "pending"));
        assertThat(alice.getVideoHistory(id, 1L, 1)).extracting(StatusEvent::getVersion).containsExactly(2L);

        assertThat(alice.listVideos(null, 500, VideoStatus.PROCESSING).getItems()).extracting(Video::getId).contains(id);
        FeedPage feed = new FeedApi(client(TestTokens.user("alice"))).getFeed(null, 500);
        assertThat(feed.getVideos()).extracting(FeedVideo::getVideoId).contains(id);
        assertThat(feed.getCursor()).isNotBlank();
    }

    @Test
    void everyRefusalIsAProblemTheDocumentDeclaresForItsOperation() throws Exception {
        String id = Ids.fresh("client-refused");
        CreateVideo body = new CreateVideo().id(id).rawFilePath("/uploads/refused.mp4");
        JsonNode document = stored();

        Problem noToken = refused(document, "createVideo", 401, () -> new VideosApi(client(null)).createVideo(body));
        assertThat(noToken.getType()).hasToString("urn:video-events:problem:unauthenticated");
        Problem notWriter = refused(document, "createVideo", 403,
                () -> new VideosApi(client(TestTokens.user("alice"))).createVideo(body));
        assertThat(notWriter.getType()).hasToString("urn:video-events:problem:forbidden");

        VideosApi writer = new VideosApi(client(WRITER));
        writer.createVideo(body);
        assertThat(refused(document, "createVideo", 409, () -> writer.createVideo(body)).getType())
                .hasToString("urn:video-events:problem:id-taken");
        assertThat(refused(document, "createVideo", 400, () -> writer.createVideo(new CreateVideo().rawFilePath(" "))).getType())
                .hasToString("urn:video-events:problem:bad-request");
        assertThat(refused(document, "changeVideoStatus", 404,
                () -> writer.changeVideoStatus(Ids.fresh("none"), new StatusChange().status(VideoStatus.FAILED))).getType())
                .hasToString("urn:video-events:problem:video-not-found");

        VideosApi admin = new VideosApi(client(ADMIN));
        assertThat(refused(document, "getVideo", 404, () -> admin.getVideo(Ids.fresh("none"))).getDetail()).startsWith("no video");
        assertThat(refused(document, "getVideo", 400, () -> admin.getVideo("not a valid id")).getType())
                .hasToString("urn:video-events:problem:bad-request");
        VideosApi bob = new VideosApi(client(TestTokens.user("bob")));
        assertThat(refused(document, "getVideo", 403, () -> bob.getVideo(id)).getType())
                .hasToString("urn:video-events:problem:forbidden");
        refused(document, "getVideoHistory", 400, () -> admin.getVideoHistory(id, -1L, null));
        refused(document, "getVideoHistory", 403, () -> bob.getVideoHistory(id, null, null));
        refused(document, "listVideos", 400, () -> admin.listVideos("not-a-cursor!", null, null));
        refused(document, "listVideos", 401, () -> new VideosApi(client(null)).listVideos(null, null, null));
        refused(document, "getFeed", 400, () -> new FeedApi(client(ADMIN)).getFeed("not-a-cursor", null));
        refused(document, "getFeed", 400, () -> new FeedApi(client(ADMIN)).getFeed(null, 501));

        // what the generated client never sends: a body that is not JSON
        HttpResponse<String> notJson = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("videos"))
                .header("Authorization", "Bearer " + WRITER).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("/uploads/plain.mp4")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(415);
        assertThat(notJson.headers().firstValue("Content-Type")).hasValue(io.videoevents.video.Problem.MEDIA_TYPE);
        assertThat(declaredProblems(document, "createVideo")).contains("415");
        assertThat(strict().readValue(notJson.body(), Problem.class).getStatus()).isEqualTo(415);
    }

    /**
     * Runs a call that must be refused with {@code status}, a status the document declares for {@code operationId}
     * with a problem+json body; returns the problem, read strictly.
     */
    private static Problem refused(JsonNode document, String operationId, int status, ThrowingCallable call) throws IOException {
        ApiException refusal = catchThrowableOfType(ApiException.class, call);
        assertThat(refusal).as("%s refused", operationId).isNotNull();
        assertThat(refusal.getCode()).as("%s: %s", operationId, refusal.getResponseBody()).isEqualTo(status);
        assertThat(declaredProblems(document, operationId)).as("problem answers the document declares for %s", operationId)
                .contains(String.valueOf(status));
        assertThat(refusal.getResponseHeaders().firstValue("Content-Type")).hasValue(io.videoevents.video.Problem.MEDIA_TYPE);
        if (status == 401) {
            assertThat(refusal.getResponseHeaders().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
        Problem problem = strict().readValue(refusal.getResponseBody(), Problem.class);
        assertThat(problem.getStatus()).isEqualTo(status);
        assertThat(problem.getTitle()).isNotBlank();
        assertThat(problem.getDetail()).isNotBlank();
        assertThat(problem.getInstance()).startsWith("/");
        return problem;
    }

    /** The status codes {@code operationId} declares with an application/problem+json body, shared responses resolved. */
    private static Set<String> declaredProblems(JsonNode document, String operationId) {
        Set<String> codes = new TreeSet<>();
        document.get("paths").forEach(path -> path.forEach(operation -> {
            if (operationId.equals(operation.path("operationId").asText())) {
                operation.get("responses").properties().forEach(response -> {
                    JsonNode declared = response.getValue();
                    if (declared.has("$ref")) {
                        declared = document.at(declared.get("$ref").asText().substring(1));
                    }
                    if (declared.at("/content").has(io.videoevents.video.Problem.MEDIA_TYPE)) {
                        codes.add(response.getKey());
                    }
                });
            }
        }));
        return codes;
    }

    /** The generated client for this instance, sending {@code token} as a bearer token when there is one. */
    private ApiClient client(String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base.toString().replaceAll("/$", ""));
        client.setObjectMapper(strict());
        if (token != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        }
        return client;
    }

    /** The client's own mapper, made to refuse any field the document does not declare. */
    private static ObjectMapper strict() {
        return ApiClient.createDefaultObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    }

    private static JsonNode stored() throws IOException {
        return JSON.readTree(STORED.toFile());
    }
}
