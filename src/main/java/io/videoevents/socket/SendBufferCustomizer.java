package io.videoevents.socket;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.http.HttpServerOptions;

/** Applies {@code video-events.socket.send-buffer-bytes} to the HTTP server's sockets, when set. */
@ApplicationScoped
class SendBufferCustomizer implements HttpServerOptionsCustomizer {

    private final VideoEventsConfig config;

    SendBufferCustomizer(VideoEventsConfig config) {
        this.config = config;
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        config.socket().sendBufferBytes().ifPresent(options::setSendBufferSize);
    }
}
