package io.videoevents.video;

import java.net.URI;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem detail, the body of every REST error. {@code type} is a stable, documented
 * identifier a client can switch on; {@code detail} is for humans and never carries a stack trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record Problem(URI type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);

    /** Problem types are URNs: stable names, not links; docs/protocol.md lists them. */
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
