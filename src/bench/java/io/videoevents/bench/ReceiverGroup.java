package io.videoevents.bench;

/** Sockets held by this process ({@link Fleet}) or by child processes ({@link ChildReceivers}). */
interface ReceiverGroup extends AutoCloseable {

    /** How the sockets came up: how many were asked for, how many got their snapshots, how many failed, and how long it took. */
    record Connected(int sockets, int ready, int failed, double seconds) {
        Connected plus(Connected other) {
            return new Connected(sockets + other.sockets, ready + other.ready, failed + other.failed,
                    Math.max(seconds, other.seconds));
        }

        double perSecond() {
            return seconds == 0 ? 0 : ready / seconds;
        }
    }

    /** Opens the sockets and subscribes; returns once every one has its snapshots or has failed. */
    Connected connect();

    /** Waits (at most {@code drainSeconds}) for every committed change to arrive, then judges what arrived. */
    ReceiveResult finish(CommitLog commits, int steps, int drainSeconds);

    @Override
    void close();
}
