package io.videoevents.subscription;

import java.util.OptionalLong;

import io.netty.buffer.ByteBuf;
import io.videoevents.VideoLog;
import io.videoevents.subscription.Frames.EventFrame;
import io.videoevents.subscription.SubscriptionState.Ending;
import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoState;

/**
 * One video watched on one socket: the I/O shell around {@link SubscriptionState}, which holds every
 * rule. It registers in the hub before its first read, carries frames to the socket, reads through the
 * shared {@link ReadBatcher}, and hands the ending to the endpoint. Everything runs on the socket's event
 * loop; input from elsewhere (read results) is moved there first, so the state needs no lock.
 */
public final class Subscription implements SubscriptionState.Sink {

    private static final VideoLog VIDEO_LOG = VideoLog.of(Subscription.class);

    /** What an endpoint does when a subscription ends by itself (deleted, forbidden, not found, failed). */
    public interface Ended {
        void ended(Subscription subscription, Ending ending);
    }

    public final String videoId;
    public final Connection client;
    private final SubscriptionState state;
    private final ReadBatcher reads;
    private final Frames frames;
    private final SubscriptionHub hub;
    private final String greeting;
    private final Ended ended;
    private boolean starting;
    /** Subscribes to the same video that came while this one was starting: each gets the same answer. */
    private int repeatedSubscribes;
    /** The live event being offered, and its frame shared by every subscriber; set only during {@link #offer}. */
    private EventFrame offered;
    private ByteBuf offeredWire;
    private int liveSent;

    Subscription(String videoId, Connection client, AccessGuard guard, ReadBatcher reads, Frames frames,
            SubscriptionHub hub, String greeting, Ended ended) {
        this.videoId = videoId;
        this.client = client;
        this.reads = reads;
        this.frames = frames;
        this.hub = hub;
        this.greeting = greeting;
        this.ended = ended;
        this.state = new SubscriptionState(new SubscriptionState.Access() {
            @Override
            public AccessGuard.Decision decide(java.util.Optional<VideoState> row) {
                return guard.decide(client.socket(), row);
            }

            @Override
            public boolean mayWatch(String ownerId) {
                return guard.mayWatch(client.socket(), ownerId);
            }
        }, this);
    }

    /** Registers in the hub, then starts reading: the snapshot, or the log after {@code after}. On the socket's loop. */
    public void start(Resume resume) {
        hub.register(this);
        starting = true;
        client.startingChanged(1);
        state.start(resume.after(), resume.tag());
    }

    /**
     * A verified live event of this video, with its frame encoded once for all subscribers (a reference the
     * caller keeps); on the socket's loop. True if it was written to the socket now.
     */
    boolean offer(EventFrame frame, ByteBuf wire) {
        offered = frame;
        offeredWire = wire;
        int before = liveSent;
        try {
            state.onLive(frame);
        } finally {
            offered = null;
            offeredWire = null;
        }
        client.flush();
        return liveSent != before;
    }

    /** The row may have changed unannounced (deleted, new owner, notifications missed); on the socket's loop. */
    public void doorbell() {
        state.onDoorbell();
        client.flush();
    }

    /** True until the subscription has been accepted (or refused) by its first read. */
    public boolean isStarting() {
        return starting;
    }

    /** Another subscribe to this video while it is starting: it will get the same answer as the first. */
    public void subscribedAgain() {
        repeatedSubscribes++;
    }

    /** How many subscribe messages the outcome of the start answers. */
    public int subscribes() {
        return 1 + repeatedSubscribes;
    }

    /** Stops delivery and leaves the hub and the socket; idempotent. On the socket's loop. */
    public void close() {
        doneStarting();
        state.close();
        leave();
    }

    private void leave() {
        hub.unregister(this);
        client.remove(this);
    }

    // --- the state's decisions ----------------------------------------------------------------------

    @Override
    public void started() {
        doneStarting();
        if (greeting != null) {
            for (int i = 0; i < subscribes(); i++) {
                client.write(greeting);
            }
        }
        repeatedSubscribes = 0;
    }

    @Override
    public void sendLive(EventFrame frame) {
        if (frame == offered) {
            if (client.deliverShared(offeredWire)) {
                liveSent++;
            }
        } else if (client.write(frame.text())) {
            // an event held during a read, released later: its shared frame is gone by now
            client.delivered(1, frame.occurredAtMillis());
        }
    }

    @Override
    public void sendLogged(StatusEvent event, boolean replay) {
        if (client.write(frames.status(event).text())) {
            client.delivered(1, 0);
            if (!replay) {
                hub.backfilled();
            }
        }
    }

    @Override
    public void diverged() {
        hub.diverged();
    }

    @Override
    public void sendSnapshot(VideoState video, boolean resync) {
        client.write(frames.snapshot(video, resync));
    }

    @Override
    public void read(long ticket, long after, int limit, boolean paced, long delayMillis) {
        Runnable go = () -> reads.read(videoId, after, limit == 0 ? 0 : client.room(limit), (read, failure) -> client.onLoop(() -> {
            if (failure == null) {
                state.onRead(ticket, read);
            } else {
                VIDEO_LOG.debugf(videoId, failure, "video %s: a read for socket %s failed", videoId, client.id());
                state.onReadFailed(ticket);
            }
            client.flush();
        }));
        if (delayMillis > 0) {
            client.afterDelay(delayMillis, go);
        } else if (paced) {
            client.whenTaken(go);
        } else {
            go.run();
        }
    }

    @Override
    public void end(Ending ending) {
        leave();
        // still "starting" while the endpoint answers, so a refusal at start answers every subscribe that waited
        ended.ended(this, ending);
        doneStarting();
    }

    /** The subscription no longer counts among its socket's subscribes in flight; idempotent. */
    private void doneStarting() {
        if (starting) {
            starting = false;
            client.startingChanged(-1);
        }
    }
}
