package io.videoevents.socket;

import jakarta.enterprise.context.ApplicationScoped;

/** Lets tests outside this package act on the server's sockets. */
@ApplicationScoped
public class TestHooks {

    private final Clients clients;

    TestHooks(Clients clients) {
        this.clients = clients;
    }

    /** Closes every open socket from the server side, as a restarting instance would. */
    public void dropAllSockets() {
        clients.openConnections().forEach(client -> client.close(ErrorCodes.CLOSE_GOING_AWAY, "dropped by a test"));
    }
}
