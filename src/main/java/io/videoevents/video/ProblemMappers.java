package io.videoevents.video;

import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.videoevents.VideoLog;

/**
 * Every REST error leaves as {@code application/problem+json}: our own refusals, bean-validation
 * failures, unreadable JSON, JAX-RS errors (404 for unknown paths, 405, 415 …) and, last, anything
 * unexpected, which is logged here and answered without a stack trace.
 */
public class ProblemMappers {

    private static final VideoLog VIDEO_LOG = VideoLog.of(ProblemMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        Response response = Problem.of(e.status(), e.slug(), e.getMessage(), uri.getPath()).toResponse();
        if (e.status() == Response.Status.UNAUTHORIZED) {
            response.getHeaders().add("WWW-Authenticate", "Bearer");
        }
        return response;
    }

    /** A bearer token that fails verification; its content is never echoed. */
    @ServerExceptionMapper
    public Response unauthenticated(io.quarkus.security.AuthenticationFailedException e, UriInfo uri) {
        return api(ApiException.unauthenticated(), uri);
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        String detail = e.getConstraintViolations().stream()
                .map(ConstraintViolation::getMessage)
                .sorted()
                .collect(Collectors.joining("; "));
        return Problem.of(Response.Status.BAD_REQUEST, "bad-request", detail, uri.getPath()).toResponse();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        return Problem.of(Response.Status.BAD_REQUEST, "bad-request", "the body is not valid JSON of the expected shape",
                uri.getPath()).toResponse();
    }

    /** Takes precedence over the built-in mapper, which answers these with plain JSON or an empty body. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "Error" : type.getReasonPhrase();
        if (status >= 500) {
            VIDEO_LOG.errorf(videoId(uri), e, "request failed on %s", uri.getPath());
        }
        String detail = status == 400 ? "the request could not be read: check the JSON body and parameters"
                : status >= 500 ? "the service failed; retry later" : title;
        return Problem.of(status, title, status == 400 ? "bad-request" : null, detail, uri.getPath()).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        VIDEO_LOG.errorf(videoId(uri), e, "unexpected failure on %s", uri.getPath());
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "internal", "the service failed; retry later",
                uri.getPath()).toResponse();
    }

    /** The video a failed request was about ({@code /videos/{id}…}), for its log line; null for other paths. */
    private static String videoId(UriInfo uri) {
        return uri.getPathParameters().getFirst("id");
    }
}
