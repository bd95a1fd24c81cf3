package io.videoevents.relay;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * When a replica in NATS mode may trust that live events reach it, and when it must check the log instead:
 * the rules alone, with no I/O and the time passed in, so that each is a unit test. The replica's
 * {@link NatsFeed} feeds it what NATS says and turns its answers into {@code notify.ListenerEvent}s.
 *
 * <ul>
 * <li>Live events flow while some relay whose LISTEN is up has been heard within the silence window.</li>
 * <li>Nothing heard for that long, every relay heard saying its LISTEN is down, or the NATS connection lost:
 * events are being missed ({@link Signal#LOST}).</li>
 * <li>A LISTENing relay heard again after that: events flow again and every subscriber must check the log
 * ({@link Signal#LISTENING}).</li>
 * <li>While events flow, a relay that LISTENs anew (a relay not heard before, or a new LISTEN generation: it
 * re-LISTENed, or could not publish some notification) may have missed notifications its peer also missed; and
 * messages the client itself dropped (a slow consumer) are lost for sure. Either way subscribers check the log
 * ({@link Signal#LISTENING}). Reads are merged per video, so a relay's restart costs each replica one read per
 * watched video.</li>
 * </ul>
 *
 * <p>A heartbeat is taken only when its relay signed it with the trigger's key (checked by the owner) and it is
 * {@linkplain #timely timely}: its time is after the last one taken from that relay and near this replica's clock.
 * So a copy of a relay's heartbeat, sent again by whoever can publish on the subject, cannot keep a replica
 * trusting a relay that has stopped.
 *
 * <p>Not thread-safe: its owner calls it under one lock.
 */
public final class RelayWatch {

    /** What the replica must announce, if anything. */
    public enum Signal {
        NONE,
        /** Live events flow (again); subscribers check the log. */
        LISTENING,
        /** Live events are being missed until the next {@link #LISTENING}. */
        LOST
    }

    private record Relay(long generation, boolean listening, long heardAt) {
    }

    /** The time of the last heartbeat taken from a relay (its clock, ms) and when it was taken (nanoseconds). */
    private record Seen(long atMillis, long takenAt) {
    }

    private final long silenceNanos;
    private final long maxAgeMillis;
    private final Map<String, Relay> relays = new HashMap<>();
    private final Map<String, Seen> seen = new HashMap<>();
    private boolean up;
    private String problem = "no relay heard yet";

    RelayWatch(long silenceNanos, long maxAgeMillis) {
        this.silenceNanos = silenceNanos;
        this.maxAgeMillis = maxAgeMillis;
    }

    /**
     * Whether a signed heartbeat of {@code relay} stamped {@code atMillis} by its clock may be taken, this replica's
     * clock reading {@code wallNowMillis} at {@code now} (nanoseconds, as elsewhere): it must be within the maximum
     * age of this clock either way, and after the last heartbeat taken from that relay. True records it as taken.
     */
    boolean timely(String relay, long atMillis, long wallNowMillis, long now) {
        if (Math.abs(wallNowMillis - atMillis) > maxAgeMillis) {
            return false;
        }
        Seen last = seen.get(relay);
        if (last != null && atMillis <= last.atMillis) {
            return false;
        }
        seen.put(relay, new Seen(atMillis, now));
        return true;
    }

    /** A relay's heartbeat arrived at {@code now} (nanoseconds, any origin). */
    Signal heartbeat(String relay, long generation, boolean listening, long now) {
        Relay previous = relays.put(relay, new Relay(generation, listening, now));
        if (!listening) {
            return anyListening(now) ? Signal.NONE : down("no relay's LISTEN is up (relay " + relay + " says so)");
        }
        if (!up) {
            up = true;
            problem = null;
            return Signal.LISTENING;
        }
        boolean newListen = previous == null || previous.generation != generation || !previous.listening;
        return newListen ? Signal.LISTENING : Signal.NONE;
    }

    /** Called every heartbeat interval or so. */
    Signal tick(long now) {
        for (Iterator<Relay> it = relays.values().iterator(); it.hasNext();) {
            // a relay gone for good (scaled away, restarted under a new id) is forgotten after a while
            if (now - it.next().heardAt > 10 * silenceNanos) {
                it.remove();
            }
        }
        // its last time is kept until any copy of its heartbeats is too old to be taken anyway
        seen.values().removeIf(last -> now - last.takenAt > 3 * maxAgeMillis * 1_000_000L);
        if (up && !anyListening(now)) {
            return down("no heartbeat from a relay whose LISTEN is up for " + silenceNanos / 1_000_000 + " ms");
        }
        return Signal.NONE;
    }

    /** The NATS connection is gone: nothing arrives until it is back and a relay is heard again. */
    Signal disconnected() {
        return down("the NATS connection is lost");
    }

    /** The client dropped messages it could not hand over in time: they are lost for this replica. */
    Signal messagesDropped() {
        return up ? Signal.LISTENING : Signal.NONE;
    }

    boolean up() {
        return up;
    }

    /** Why live events do not flow, or null while they do. */
    String problem() {
        return problem;
    }

    /** Relays heard within the silence window saying their LISTEN is up. */
    int listeningRelays(long now) {
        int count = 0;
        for (Relay relay : relays.values()) {
            if (relay.listening && now - relay.heardAt <= silenceNanos) {
                count++;
            }
        }
        return count;
    }

    private boolean anyListening(long now) {
        return listeningRelays(now) > 0;
    }

    private Signal down(String why) {
        if (!up) {
            problem = why;
            return Signal.NONE;
        }
        up = false;
        problem = why;
        return Signal.LOST;
    }
}
