package io.videoevents.subscription;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.videoevents.video.StatusEvent;

/**
 * Continues a worker's trace through the deliveries of its change. A worker that set
 * {@code video_events.traceparent} in its transaction gets, in its own trace, a span for the change's hand-over to
 * the subscriptions ({@code video-events deliver}, from the notification's arrival until every event loop has been
 * given its share) and one per event loop for the writes there ({@code video-events write}).
 *
 * <p>Off (the OpenTelemetry SDK disabled, the default), {@link #enabled()} is false and the hub never calls the
 * rest: a change with a traceparent costs one more null check than one without.
 */
@ApplicationScoped
class DeliveryTracing {

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final boolean enabled;
    private final Tracer tracer;

    DeliveryTracing(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true") boolean disabled, Tracer tracer) {
        this.enabled = !disabled;
        this.tracer = tracer;
    }

    boolean enabled() {
        return enabled;
    }

    /** The span of a traced change's hand-over, child of the worker's span; null when the traceparent is not a valid one. */
    Span deliver(StatusEvent event, String traceparent, int subscriptions) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return null;
        }
        return tracer.spanBuilder("video-events deliver")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("video.id", event.videoId())
                .setAttribute("video.version", event.version())
                .setAttribute("video.status", event.status())
                .setAttribute("video_events.subscriptions", subscriptions)
                .startSpan();
    }

    /** The writes of a traced change on one event loop, child of its {@link #deliver} span. */
    Span write(Span deliver, int subscriptions) {
        return tracer.spanBuilder("video-events write")
                .setParent(Context.root().with(deliver))
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute("video_events.subscriptions", subscriptions)
                .startSpan();
    }
}
