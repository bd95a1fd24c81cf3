package io.videoevents.video;

import java.net.URI;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem detail, the body of every REST error. {@code type} is a stable, documented
 * identifier a client can switch on; {@code detail} is for humans and never carries a stack trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
@Schema(description = "An RFC 9457 problem detail, the body of every error (`application/problem+json`)")
public record Problem(
        @Schema(required = true, format = "uri", description = "What went wrong, a stable name to switch on:"
                + " `urn:video-events:problem:` followed by `bad-request`, `unauthenticated`, `forbidden`, `video-not-found`,"
                + " `id-taken` or `internal`; `about:blank` for other HTTP errors (unknown path, 405, 406, 415)",
                examples = "urn:video-events:problem:video-not-found") URI type,
        @Schema(required = true, description = "The HTTP status's reason phrase", examples = "Not Found") String title,
        @Schema(required = true, description = "The HTTP status code", examples = "404") int status,
        @Schema(required = true, description = "What happened, for people; never a stack trace",
                examples = "no video with id 'v-123'") String detail,
        @Schema(required = true, format = "uri-reference", description = "The request's path", examples = "/videos/v-123")
        String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);

    /** Problem types are URNs: stable names, not links; docs/api.md lists them. */
    private static final String TYPE_BASE = "urn:video-events:problem:";

    public static Problem of(Response.Status status, String slug, String detail, String instance) {
        return of(status.getStatusCode(), status.getReasonPhrase(), slug, detail, instance);
    }

    public static Problem of(int status, String title, String slug, String detail, String instance) {
        return new Problem(slug == null ? URI.create("about:blank") : URI.create(TYPE_BASE + slug), title, status, detail,
                instance);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA).entity(this).build();
    }
}
