package io.videoevents.relay;

/**
 * The key a relay signs its heartbeats with and a replica checks them by: the trigger's key, held by
 * {@code notify.NotificationSignature}, which implements this so the relay tier needs nothing of the listener.
 */
public interface HeartbeatKey {

    /** A relay's signature (hex) of its heartbeat: who, which LISTEN generation, whether it is up, and when. */
    String signHeartbeat(String relay, long generation, boolean listening, long atMillis);

    /** True when the heartbeat carries its relay's signature of exactly these fields. */
    boolean verifyHeartbeat(RelayHeartbeat heartbeat);
}
