package io.videoevents;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of video-events in one place, under the prefix {@code video-events}
 * ({@code VIDEO_EVENTS_...} in the environment). The database itself is configured the standard
 * Quarkus way ({@code quarkus.datasource.*}); only what is ours lives here.
 */
@ConfigMapping(prefix = "video-events")
public interface VideoEventsConfig {

    /** The LISTEN connection. */
    Listener listener();

    /** Per-socket limits. */
    Socket socket();

    /** How live events reach the replicas: each its own LISTEN connection (the default), or NATS behind relays. */
    Fanout fanout();

    interface Fanout {

        /** Where a replica's live events come from. */
        enum Mode {
            /** Every instance holds its own LISTEN connection: PostgreSQL pays for each on every notifying commit. */
            LISTEN,
            /** Relays LISTEN and publish every payload to NATS; the other instances subscribe there (docs/scaling.md). */
            NATS
        }

        /** What an instance does in {@link Mode#NATS}. */
        enum Role {
            /** Takes its live events from NATS; holds no LISTEN connection. */
            REPLICA,
            /** Holds a LISTEN connection and publishes every notification to NATS, with a heartbeat; serves sockets too. */
            RELAY
        }

        /**
         * {@code listen} (default): one LISTEN connection per instance, nothing else. {@code nats}: see {@link #role()};
         * the database then has as many listeners as there are relays, whatever the number of replicas.
         */
        @WithDefault("listen")
        Mode mode();

        /** {@code replica} (default) or {@code relay}; only {@code nats} mode has relays. */
        @WithDefault("replica")
        Role role();

        /** The NATS side of {@code nats} mode. */
        Nats nats();

        interface Nats {

            /** NATS server URL(s), comma-separated ({@code nats://host:4222}). Required in {@code nats} mode. */
            Optional<String> url();

            /** Subject the relays publish the trigger's payloads on, unchanged (signature included). */
            @WithDefault("video-events.notifications")
            String subject();

            /** Subject of the relays' heartbeats: relay id, LISTEN generation and whether its LISTEN is up. */
            @WithDefault("video-events.relays")
            String heartbeatSubject();

            /** How often a relay publishes its heartbeat (also at once when its LISTEN starts or is lost). */
            @WithDefault("1s")
            Duration heartbeatInterval();

            /**
             * Heartbeat intervals a replica waits without hearing any relay whose LISTEN is up before it turns not
             * ready; when one is heard again, every subscription checks the log.
             */
            @WithDefault("3")
            int heartbeatMisses();

            /**
             * How far a relay's heartbeat time may be from the replica's clock, either way, for the replica to take it.
             * A heartbeat sent again later is refused by it (and by its time not being after its relay's last), so it
             * bounds what a copy of an old heartbeat can do; the relays' and the replicas' clocks must agree within it.
             */
            @WithDefault("10s")
            Duration heartbeatMaxAge();

            /** How long one connect attempt to NATS may take. */
            @WithDefault("5s")
            Duration connectTimeout();

            /** Wait between attempts to reconnect to NATS (a little jitter is added). Attempts never stop. */
            @WithDefault("250ms")
            Duration reconnectWait();
        }
    }

    interface Listener {

        /**
         * A separate URL for the LISTEN connection, in the form of {@code quarkus.datasource.reactive.url}.
         * Needed when the pool goes through a pooler in transaction mode, where LISTEN does not work:
         * point this at PostgreSQL directly (or at a session-mode pooler). Credentials still come from
         * {@code quarkus.datasource.username/password}. Unset: the datasource's reactive URL is used.
         */
        Optional<String> url();

        /** Channel the trigger notifies on. It is part of the schema; change both or neither. */
        @WithDefault("video_status_events")
        String channel();

        /** First delay before reconnecting a lost LISTEN connection; it doubles up to {@link #reconnectMaxDelay()}. */
        @WithDefault("100ms")
        Duration reconnectInitialDelay();

        /** Longest delay between two attempts to (re)connect the LISTEN connection. Attempts never stop. */
        @WithDefault("5s")
        Duration reconnectMaxDelay();

        /** How long one connect attempt of the LISTEN connection may take. */
        @WithDefault("5s")
        Duration connectTimeout();

        /**
         * How often a cheap query runs on the LISTEN connection. A connection whose peer vanished without
         * closing it (a cut network, a dead host) answers nothing, and is then closed and reconnected.
         */
        @WithDefault("10s")
        Duration probeInterval();

        /** How long that query may take before the connection is taken for dead. */
        @WithDefault("5s")
        Duration probeTimeout();
    }

    /** Authentication and authorization (contract section 5). */
    Auth auth();

    interface Auth {

        /**
         * Whether tokens are required. On by default; the dev and test profiles turn it off. Off in the prod
         * profile logs a loud warning at start-up.
         */
        @WithDefault("true")
        boolean enabled();

        /** How long a socket without an Authorization header has to send its {@code auth} message (else 4401). */
        @WithDefault("5s")
        Duration messageTimeout();

        /**
         * Whether {@code mp.jwt.verify.issuer} must be set while authentication is on; the instance does not
         * start without it. A token's {@code iss} is then checked against it. Turn off only where every key
         * the instance trusts signs for this service alone: any issuer holding it is then accepted.
         */
        @WithDefault("true")
        boolean requireIssuer();

        /**
         * Whether {@code mp.jwt.verify.audiences} must be set while authentication is on; the instance does
         * not start without it. A token's {@code aud} must then name one of those audiences, so a token the
         * identity provider issued for another service is refused here. Turn off only where the provider
         * issues tokens for this service alone.
         */
        @WithDefault("true")
        boolean requireAudience();
    }

    /** Which web origins may open sockets and call the REST API from a browser. */
    Origins origins();

    interface Origins {

        /** Whether the {@code Origin} of a socket upgrade is checked. On by default; off in dev and test. */
        @WithDefault("true")
        boolean check();

        /**
         * Origins allowed besides the service's own, e.g. {@code https://app.example.com}. Also the CORS
         * allow-list for REST. Requests without an Origin (non-browser clients) are not affected.
         */
        Optional<java.util.List<String>> allowed();
    }

    /** Graceful shutdown. */
    Shutdown shutdown();

    interface Shutdown {

        /**
         * On SIGTERM the instance turns not-ready, refuses new sockets and closes the open ones with 1001,
         * spread evenly over this window so their clients do not all reconnect to the other replicas in the
         * same instant. Keep {@code quarkus.shutdown.delay} at least this long and the pod's
         * terminationGracePeriodSeconds above both.
         */
        @WithDefault("10s")
        Duration drainWindow();
    }

    /** Feeds: every video a caller may watch, on one subscription. */
    Feed feed();

    interface Feed {

        /**
         * Videos per snapshot page, and changes per read when a feed catches up on the log. A snapshot of 50,000
         * videos is then 100 messages of about 60 KB, each sent once the client has taken the one before.
         */
        @WithDefault("500")
        int pageSize();

        /**
         * Feed reads (snapshot pages, catching up on the log) that may run at once on an instance; the rest wait
         * their turn. Each instance also runs one read at a time for the new rows of all its feeds.
         */
        @WithDefault("2")
        int readConcurrency();

        /**
         * Shortest time between two reads of the feed log's new rows by an instance (for all its feeds). The first
         * notification after a quiet spell is read at once; under a steady stream, reads take what came in the
         * interval, which bounds the queries an instance makes (100 per second by default) and adds at most this
         * much to a feed's latency. Single-video subscriptions are not affected.
         */
        @WithDefault("10ms")
        Duration tailInterval();
    }

    /** The event log and the notification queue. */
    EventLog eventLog();

    interface EventLog {

        /** Events older than this are deleted, except each video's newest. A resume from before it gets a fresh snapshot. */
        @WithDefault("7d")
        Duration retention();

        /** Rows deleted per statement by the retention job, so it never holds long locks. */
        @WithDefault("1000")
        int retentionBatchSize();

        /** How often the retention job runs (a Quarkus scheduler expression, e.g. {@code 1h}). */
        @WithDefault("1h")
        String retentionEvery();

        /** How often {@code pg_notification_queue_usage()} is sampled (a Quarkus scheduler expression). */
        @WithDefault("15s")
        String queueUsageEvery();

        /** Usage of the server's notification queue (0..1) above which a warning is logged. */
        @WithDefault("0.5")
        double queueUsageWarning();
    }

    interface Socket {

        /** Frames a connection may have written but not yet flushed to the client before it counts as too slow (close 4408). */
        @WithDefault("1000")
        int maxQueuedMessages();

        /** Bytes a connection may have written but not yet flushed to the client before it counts as too slow (close 4408). */
        @WithDefault("1048576")
        long maxQueuedBytes();

        /**
         * Longest wait for one database read made for subscriptions (snapshot, replay page, gap fill). A failed
         * or late read is retried with backoff (0.1 s doubling to 5 s), 8 times; then the subscription ends with
         * {@code internal} (one-video socket: close 1011) and the client resumes with {@code after}.
         */
        @WithDefault("5s")
        Duration readTimeout();

        /**
         * Queries for subscriptions' reads that may run at once (a share of the pool). Reads asked for meanwhile
         * wait and then go together, in one query, so a reconnect storm costs a few queries, not one per socket.
         */
        @WithDefault("4")
        int readConcurrency();

        /**
         * Subscribes on one {@code /events} socket that may be waiting for their first answer at once. Beyond it a
         * subscribe is refused with {@code rate_limited} (naming the video) and may be sent again later.
         */
        @WithDefault("100")
        int maxSubscribesInFlight();

        /**
         * SO_SNDBUF of accepted connections, in bytes. Unset, the kernel sizes it (on Linux up to
         * {@code net.ipv4.tcp_wmem}, often 4 MiB per socket). A small fixed value bounds kernel memory per
         * socket and lets a stalled client reach the 4408 limit sooner; event frames are small.
         */
        java.util.OptionalInt sendBufferBytes();

        /** Largest client frame accepted; a bigger one closes the socket with 1009. */
        @WithDefault("65536")
        int maxFrameBytes();

        /** Videos one socket may watch at once on {@code /events}; beyond it: {@code too_many_subscriptions}. */
        @WithDefault("1000")
        int maxSubscriptions();

        /**
         * Client messages per second a socket may send (a burst of as many is allowed). Beyond it each
         * message is refused with {@code rate_limited}; as many refusals in a row close the socket with 1008.
         */
        @WithDefault("50")
        int maxMessagesPerSecond();

        /** How often the server pings every socket; below the common 60 s idle timeout of ingress proxies. */
        @WithDefault("25s")
        Duration pingInterval();

        /** A socket that has not answered a ping (nor sent anything) for this long is closed with 1001. */
        @WithDefault("60s")
        Duration pongTimeout();
    }
}
