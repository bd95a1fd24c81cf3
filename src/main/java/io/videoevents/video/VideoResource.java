package io.videoevents.video;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * The producer side and the history over REST. A status change made here goes through the same
 * trigger as a worker's SQL, so sockets see no difference between the two.
 */
@Path("/videos")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "videos")
public class VideoResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final VideoRepository videos;
    private final VideoAccessPolicy access;

    VideoResource(VideoRepository videos, VideoAccessPolicy access) {
        this.videos = videos;
        this.access = access;
    }

    @POST
    @Operation(summary = "Register a video (its status starts as pending, version 1)")
    @APIResponse(responseCode = "201", description = "created; Location names the video")
    @APIResponse(responseCode = "400", description = "invalid body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "id taken", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(@Valid @NotNull(message = "a JSON body is required") CreateVideo body, UriInfo uri) {
        return access.requireWriter()
                .flatMap(ok -> body.ownerId() != null ? Uni.createFrom().item(Optional.of(body.ownerId())) : access.defaultOwner())
                .flatMap(owner -> videos.create(body.id(), body.rawFilePath(), owner.orElse(null)))
                .map(video -> Response.created(uri.getAbsolutePathBuilder().path(video.id()).build()).entity(video).build())
                .onFailure(VideoRepository.IdTakenException.class)
                .transform(e -> new ApiException(Response.Status.CONFLICT, "id-taken", e.getMessage()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A video with its current status and version")
    public Uni<Video> get(@PathParam("id") String id) {
        requireValidId(id);
        return videos.find(id).call(found -> access.requireReader(id, found)).map(found -> found.orElseThrow());
    }

    @GET
    @Operation(summary = "A page of videos ordered by id; pass nextCursor back as cursor for the next page")
    public Uni<VideoPage> list(@QueryParam("status") String status, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        Optional<VideoStatus> wanted = status == null ? Optional.empty() : Optional.of(parseStatus(status));
        int size = parseLimit(limit);
        Optional<String> after = cursor == null ? Optional.empty() : Optional.of(decodeCursor(cursor));
        return access.listedOwner().flatMap(owner -> videos.list(wanted, after, owner, size + 1)).map(rows -> {
            boolean more = rows.size() > size;
            List<Video> page = more ? rows.subList(0, size) : rows;
            String next = more ? encodeCursor(page.get(page.size() - 1).id()) : null;
            return new VideoPage(page, next);
        });
    }

    @PUT
    @Path("/{id}/status")
    @Operation(summary = "Change the status, as a worker would; the change becomes the next version")
    public Uni<Video> changeStatus(@PathParam("id") String id,
            @Valid @NotNull(message = "a JSON body is required") StatusChange body) {
        requireValidId(id);
        VideoStatus status = parseStatus(body.status());
        return access.requireWriter()
                .flatMap(ok -> videos.updateStatus(id, status))
                .map(found -> found.orElseThrow(() -> ApiException.notFound(id)));
    }

    @GET
    @Path("/{id}/history")
    @Operation(summary = "The video's status events after a version, oldest first")
    public Uni<List<StatusEvent>> history(@PathParam("id") String id, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        requireValidId(id);
        long from = after == null ? 0 : parseAfter(after);
        int size = parseLimit(limit);
        return videos.find(id)
                .call(found -> access.requireReader(id, found))
                .flatMap(found -> videos.eventsAfter(id, from, size));
    }

    private static void requireValidId(String id) {
        if (!VideoIds.isValid(id)) {
            throw ApiException.badRequest("video id must be " + VideoIds.RULE);
        }
    }

    private static VideoStatus parseStatus(String status) {
        return VideoStatus.fromWire(status).orElseThrow(
                () -> ApiException.badRequest("status must be one of " + VideoStatus.allowed()));
    }

    static int parseLimit(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (!limit.matches("[0-9]{1,4}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be an integer from 1 to " + MAX_LIMIT);
        }
        return Integer.parseInt(limit);
    }

    private static long parseAfter(String after) {
        try {
            return Versions.parseAfter(after);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static String encodeCursor(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            String id = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (VideoIds.isValid(id)) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw ApiException.badRequest("cursor is not one this service returned");
    }

    /** Body of {@code POST /videos}. */
    @RegisterForReflection
    public record CreateVideo(
            @NotBlank(message = "rawFilePath is required and must not be blank")
            @Size(max = 4096, message = "rawFilePath must be at most 4096 characters")
            @Pattern(regexp = "[^\\x00]*", message = "rawFilePath must not contain NUL characters") String rawFilePath,
            @Pattern(regexp = VideoIds.REGEX, message = "id must be " + VideoIds.RULE) String id,
            @Size(min = 1, max = 200, message = "ownerId must be 1 to 200 characters")
            @Pattern(regexp = "[^\\x00]*", message = "ownerId must not contain NUL characters") String ownerId) {
    }

    /** Body of {@code PUT /videos/{id}/status}. */
    @RegisterForReflection
    public record StatusChange(@NotNull(message = "status is required") String status) {
    }

    /** A page of videos; {@code nextCursor} is absent on the last page. */
    @RegisterForReflection
    public record VideoPage(List<Video> items, String nextCursor) {
    }
}
