package io.videoevents.video;

import jakarta.ws.rs.core.Response;

/** A client error the REST layer reports as a problem detail: the status, a stable slug and a readable reason. */
public class ApiException extends RuntimeException {

    private final Response.Status status;
    private final String slug;

    public ApiException(Response.Status status, String slug, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(Response.Status.BAD_REQUEST, "bad-request", detail);
    }

    public static ApiException unauthenticated() {
        return new ApiException(Response.Status.UNAUTHORIZED, "unauthenticated",
                "a valid bearer token is required (Authorization: Bearer <jwt>)");
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(Response.Status.FORBIDDEN, "forbidden", detail);
    }

    public static ApiException notFound(String id) {
        return new ApiException(Response.Status.NOT_FOUND, "video-not-found", "no video with id '" + id + "'");
    }

    public Response.Status status() {
        return status;
    }

    public String slug() {
        return slug;
    }
}
