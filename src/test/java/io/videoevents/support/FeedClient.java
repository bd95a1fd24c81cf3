package io.videoevents.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.vertx.core.json.JsonObject;

/**
 * A feed reader for tests, over a real socket: subscribes, applies the snapshot pages and the changes to a map
 * of videos the way a page would, and keeps every change and the last cursor. Checks on the way that cursors
 * only go forward.
 */
public final class FeedClient implements AutoCloseable {

    private final TestSocket socket;
    private final Map<String, JsonObject> videos = new LinkedHashMap<>();
    private final List<JsonObject> changes = new ArrayList<>();
    private final List<JsonObject> pages = new ArrayList<>();
    private String cursor;
    private boolean snapshotComplete;
    private int resyncs;
    private JsonObject subscribed;

    private FeedClient(TestSocket socket) {
        this.socket = socket;
    }

    /** Opens {@code /events} and subscribes to the feed ({@code cursor} null: from a snapshot). */
    public static FeedClient open(URI base, Map<String, String> headers, String cursor) {
        return over(TestSocket.open(base, "/events", headers), cursor);
    }

    /** Subscribes to the feed on a socket to {@code /events} opened by the caller. */
    public static FeedClient over(TestSocket socket, String cursor) {
        FeedClient feed = new FeedClient(socket);
        feed.cursor = cursor;
        feed.snapshotComplete = cursor != null && cursor.startsWith("c.");
        if (cursor == null) {
            socket.send("type", "subscribeFeed");
        } else {
            socket.send("type", "subscribeFeed", "cursor", cursor);
        }
        feed.subscribed = socket.next("feedSubscribed");
        return feed;
    }

    public static FeedClient open(URI base) {
        return open(base, Map.of(), null);
    }

    /** The same, and waits until the snapshot is complete. */
    public static FeedClient live(URI base, Map<String, String> headers) {
        FeedClient feed = open(base, headers, null);
        feed.awaitSnapshot();
        return feed;
    }

    public JsonObject subscribed() {
        return subscribed;
    }

    /** Reads until the snapshot's last page. */
    public void awaitSnapshot() {
        while (!snapshotComplete) {
            JsonObject message;
            try {
                message = socket.next();
            } catch (AssertionError e) {
                throw new AssertionError("feed " + subscribed + ": the snapshot stopped after " + pages.size() + " pages, "
                        + videos.size() + " videos, at cursor " + cursor, e);
            }
            take(message);
        }
    }

    /** Reads until a complete snapshot came that replaces what the cursor given at the start stood for; returns its pages. */
    public List<JsonObject> awaitResync() {
        do {
            take(socket.next());
        } while (pages.isEmpty() || !pages.get(pages.size() - 1).getBoolean("complete"));
        assertThat(pages.get(0).getBoolean("resync")).as("the first page of the new snapshot is marked").isTrue();
        return pages;
    }

    /** Reads until a change matching {@code wanted} came and returns it; changes on the way are applied too. */
    public JsonObject awaitChange(Predicate<JsonObject> wanted) {
        while (true) {
            JsonObject message = socket.next();
            take(message);
            if ("feed".equals(message.getString("type")) && wanted.test(message)) {
                return message;
            }
        }
    }

    /** Reads until {@code count} changes of videos whose id starts with {@code prefix} have come in all. */
    public void awaitChanges(String prefix, int count) {
        while (changes(prefix).size() < count) {
            take(socket.next());
        }
    }

    /** Applies one message; fails on anything a feed must never send. */
    public void take(JsonObject message) {
        switch (message.getString("type")) {
            case "feedSnapshot" -> {
                if (Boolean.TRUE.equals(message.getBoolean("resync")) || pages.isEmpty() && cursor == null) {
                    videos.clear();
                }
                if (Boolean.TRUE.equals(message.getBoolean("resync"))) {
                    // a new snapshot replaces what came before, places included (a database that failed over numbers anew)
                    cursor = null;
                    resyncs++;
                }
                pages.add(message);
                message.getJsonArray("videos").forEach(v -> {
                    JsonObject video = (JsonObject) v;
                    videos.put(video.getString("videoId"), video);
                });
                advance(message.getString("cursor"));
                snapshotComplete = message.getBoolean("complete");
            }
            case "feed" -> {
                assertThat(snapshotComplete || !pages.isEmpty() && pages.get(pages.size() - 1).getBoolean("complete")).as("a change before the snapshot was complete: %s", message).isTrue();
                changes.add(message);
                String change = message.getString("change");
                if ("deleted".equals(change) || "left".equals(change)) {
                    videos.remove(message.getString("videoId"));
                } else {
                    videos.put(message.getString("videoId"), message);
                }
                advance(message.getString("cursor"));
            }
            default -> throw new AssertionError("unexpected message on a feed: " + message);
        }
    }

    private void advance(String next) {
        assertThat(next).as("every feed message carries a cursor").isNotNull();
        if (cursor != null && cursor.startsWith("c.") && next.startsWith("c.")) {
            assertThat(compare(next, cursor)).as("cursor %s after %s", next, cursor).isGreaterThan(0);
        }
        cursor = next;
    }

    /** Orders two change cursors ({@code c.position.seq}). */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int byPosition = Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
        return byPosition != 0 ? byPosition : Long.compare(Long.parseLong(x[2]), Long.parseLong(y[2]));
    }

    /** Snapshots marked {@code resync} received so far. */
    public int resyncs() {
        return resyncs;
    }

    public String cursor() {
        return cursor;
    }

    /** The videos as the snapshot and the changes so far make them, by id. */
    public Map<String, JsonObject> videos() {
        return videos;
    }

    public List<JsonObject> pages() {
        return pages;
    }

    /** Every change received, in order. */
    public List<JsonObject> changes() {
        return changes;
    }

    /** The changes of videos whose id starts with {@code prefix}, in order. */
    public List<JsonObject> changes(String prefix) {
        return changes.stream().filter(c -> c.getString("videoId").startsWith(prefix)).toList();
    }

    public TestSocket socket() {
        return socket;
    }

    @Override
    public void close() {
        socket.close();
    }
}
