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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
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
@Tag(name = "videos", description = "Register videos, change their status as a worker would, read them and their event log")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", ref = "Unauthenticated")
@APIResponse(responseCode = "500", ref = "Internal")
public class VideoResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    // the document's words for what several operations share
    static final String ID = "The video's id: " + VideoIds.RULE;
    static final String LIMIT = "How many items at most, 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")";
    private static final String READ_FORBIDDEN = "The caller may not see this video: only its owner and the group"
            + " `video-admin` may. A caller outside `video-admin` gets this for an id that does not exist too, so ids"
            + " cannot be probed. Only while authentication is on";
    private static final String NOT_FOUND = "No video with this id (`urn:video-events:problem:video-not-found`): to callers in"
            + " `video-admin`, or to anyone while authentication is off";

    private final VideoRepository videos;
    private final VideoAccessPolicy access;

    VideoResource(VideoRepository videos, VideoAccessPolicy access) {
        this.videos = videos;
        this.access = access;
    }

    @POST
    @Operation(operationId = "createVideo", summary = "Register a video",
            description = "Its status starts as `pending`, version 1. While authentication is on the caller needs the group"
                    + " `video-writer`, and a video without `ownerId` belongs to the caller.")
    @APIResponse(responseCode = "201", description = "Registered; `Location` names the new video",
            headers = @Header(name = "Location", description = "The video's URL", schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Video.class)))
    @APIResponse(responseCode = "400", description = "No body, not JSON of this shape, or a field that breaks its rule",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "The caller is not in the group `video-writer`",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "A video with this id exists (`urn:video-events:problem:id-taken`)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The body is not `application/json`",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
    @Operation(operationId = "getVideo", summary = "A video with its current status and version")
    @APIResponse(responseCode = "200", description = "The video",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Video.class)))
    @APIResponse(responseCode = "400", description = "The id breaks the id rule",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = READ_FORBIDDEN,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = NOT_FOUND,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Video> get(@Parameter(description = ID, schema = @Schema(type = SchemaType.STRING, pattern = VideoIds.REGEX))
            @PathParam("id") String id) {
        requireValidId(id);
        return videos.find(id).call(found -> access.requireReader(id, found)).map(found -> found.orElseThrow());
    }

    @GET
    @Operation(operationId = "listVideos", summary = "A page of videos, ordered by id",
            description = "Pass `nextCursor` back as `cursor` for the next page. While authentication is on, a caller"
                    + " outside the group `video-admin` sees only their own videos.")
    @APIResponse(responseCode = "200", description = "A page of videos",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = VideoPage.class)))
    @APIResponse(responseCode = "400", description = "An unknown status, a limit out of range, or a cursor this service did not return",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<VideoPage> list(
            @Parameter(description = "Only videos with this status", schema = @Schema(ref = "VideoStatus"))
            @QueryParam("status") String status,
            @Parameter(description = LIMIT, schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1",
                    maximum = "" + MAX_LIMIT, defaultValue = "" + DEFAULT_LIMIT)) @QueryParam("limit") String limit,
            @Parameter(description = "The `nextCursor` of the page before; absent for the first page")
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
    @Operation(operationId = "changeVideoStatus", summary = "Change a video's status, as a worker's UPDATE would",
            description = "A change becomes the next version and reaches every watcher; setting the status the video has is"
                    + " no change and no version. While authentication is on the caller needs the group `video-writer`.")
    @APIResponse(responseCode = "200", description = "The video after the change, with its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Video.class)))
    @APIResponse(responseCode = "400", description = "The id breaks the id rule, an unknown status, or no body of this shape",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "The caller is not in the group `video-writer`",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No video with this id (`urn:video-events:problem:video-not-found`)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The body is not `application/json`",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Video> changeStatus(
            @Parameter(description = ID, schema = @Schema(type = SchemaType.STRING, pattern = VideoIds.REGEX)) @PathParam("id") String id,
            @Valid @NotNull(message = "a JSON body is required") StatusChange body) {
        requireValidId(id);
        VideoStatus status = parseStatus(body.status());
        return access.requireWriter()
                .flatMap(ok -> videos.updateStatus(id, status))
                .map(found -> found.orElseThrow(() -> ApiException.notFound(id)));
    }

    @GET
    @Path("/{id}/history")
    @Operation(operationId = "getVideoHistory", summary = "A video's status events after a version, oldest first",
            description = "The event log keeps a video's events for the retention (7 days by default); version 1 is the"
                    + " video's creation. Ask again with the last version you received as `after` for more.")
    @APIResponse(responseCode = "200", description = "Up to `limit` events, oldest first; none when nothing follows `after`",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = StatusEvent.class)))
    @APIResponse(responseCode = "400", description = "The id breaks the id rule, or `after` or `limit` is not a number in range",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = READ_FORBIDDEN,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = NOT_FOUND,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<StatusEvent>> history(
            @Parameter(description = ID, schema = @Schema(type = SchemaType.STRING, pattern = VideoIds.REGEX)) @PathParam("id") String id,
            @Parameter(description = "Only events with a higher version: the last version you received (default 0, every event)",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0", maximum = "999999999999999999",
                            defaultValue = "0")) @QueryParam("after") String after,
            @Parameter(description = LIMIT, schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1",
                    maximum = "" + MAX_LIMIT, defaultValue = "" + DEFAULT_LIMIT)) @QueryParam("limit") String limit) {
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
    @Schema(description = "A video to register")
    public record CreateVideo(
            @Schema(description = "Where the upload is; workers read it from here", examples = "/uploads/v-123.mp4")
            @NotBlank(message = "rawFilePath is required and must not be blank")
            @Size(max = 4096, message = "rawFilePath must be at most 4096 characters")
            @Pattern(regexp = "[^\\x00]*", message = "rawFilePath must not contain NUL characters") String rawFilePath,
            @Schema(description = "The id to give it (" + VideoIds.RULE + "); a random UUID when absent", examples = "v-123")
            @Pattern(regexp = VideoIds.REGEX, message = "id must be " + VideoIds.RULE) String id,
            @Schema(description = "Who owns it, as a token's `sub`; the caller when absent (no one while authentication is off)")
            @Size(min = 1, max = 200, message = "ownerId must be 1 to 200 characters")
            @Pattern(regexp = "[^\\x00]*", message = "ownerId must not contain NUL characters") String ownerId) {
    }

    /** Body of {@code PUT /videos/{id}/status}. */
    @RegisterForReflection
    @Schema(description = "The status to set")
    public record StatusChange(@Schema(required = true, ref = "VideoStatus") @NotNull(message = "status is required") String status) {
    }

    /** A page of videos; {@code nextCursor} is null on the last page. */
    @RegisterForReflection
    @Schema(description = "A page of videos, ordered by id")
    public record VideoPage(
            @Schema(required = true) List<Video> items,
            @Schema(description = "Pass it as `cursor` for the next page; null on the last page", nullable = true) String nextCursor) {
    }
}
