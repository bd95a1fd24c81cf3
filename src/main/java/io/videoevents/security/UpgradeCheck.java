package io.videoevents.security;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs before every socket upgrade. Refuses a browser page from a foreign origin (cross-site WebSocket
 * hijacking: a page elsewhere using the visitor's network position or cookies), and refuses an
 * Authorization header whose token does not verify. A valid token's caller is kept with the socket.
 */
@ApplicationScoped
class UpgradeCheck implements HttpUpgradeCheck {

    private final boolean checkOrigin;
    private final Set<String> allowed;
    private final boolean authEnabled;
    private final TokenVerifier tokens;

    UpgradeCheck(VideoEventsConfig config, TokenVerifier tokens) {
        this.tokens = tokens;
        this.checkOrigin = config.origins().check();
        this.allowed = Set.copyOf(config.origins().allowed().orElse(List.of()).stream().map(UpgradeCheck::normalise).toList());
        this.authEnabled = config.auth().enabled();
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        if (checkOrigin && origin != null && !allowedOrigin(origin, context.httpRequest().getHeader("Host"),
                context.httpRequest().scheme())) {
            Log.infof("refused a socket upgrade from origin %.100s", origin);
            return CheckResult.rejectUpgrade(403);
        }
        String authorization = context.httpRequest().getHeader("Authorization");
        if (!authEnabled || authorization == null) {
            return CheckResult.permitUpgrade();
        }
        // verified here, by the rule the auth message uses, not through the request's security identity:
        // the socket keeps only its Caller, and the upgrade request is not held for the socket's lifetime
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return CheckResult.rejectUpgrade(401, Map.of("WWW-Authenticate", List.of("Bearer")));
        }
        Uni<CheckResult> verified = tokens.verifyOffLoop(authorization.substring(BEARER.length()).trim())
                .map(caller -> {
                    context.userData().put(Caller.KEY, caller);
                    return CheckResult.permitUpgradeSync();
                })
                .onFailure().recoverWithItem(failure -> CheckResult.rejectUpgradeSync(401,
                        Map.of("WWW-Authenticate", List.of("Bearer"))));
        return backOnTheRequestsLoop(verified);
    }

    /**
     * The outcome handed back on the upgrade request's own event loop. WebSockets Next upgrades the connection on
     * the thread the outcome arrives on; from the verifier's worker thread, the 101 went out before the socket's
     * message handlers were in place, and a client's first message, sent as soon as the 101 came, was sometimes
     * dropped unseen (UpgradeRaceTest). On the loop, the upgrade and the handlers are one task, as for a socket
     * without a header.
     */
    private static Uni<CheckResult> backOnTheRequestsLoop(Uni<CheckResult> outcome) {
        Context requestContext = Vertx.currentContext();
        if (requestContext == null) {
            return outcome;
        }
        return outcome.emitOn(command -> requestContext.runOnContext(ignored -> command.run()));
    }

    private static final String BEARER = "Bearer ";

    private boolean allowedOrigin(String origin, String host, String scheme) {
        // the common cases first, without parsing: an origin already spelled as configured, or the service's own
        if (allowed.contains(origin) || host != null && sameText(origin, scheme == null ? "http" : scheme, host)) {
            return true;
        }
        String normalised = normalise(origin);
        if (allowed.contains(normalised)) {
            return true;
        }
        // the service's own pages (same scheme, host and port as the upgrade request)
        return host != null && normalised.equals(normalise((scheme == null ? "http" : scheme) + "://" + host));
    }

    /** Whether {@code origin} is {@code scheme://host}, letter case aside (which normalising would ignore too). */
    private static boolean sameText(String origin, String scheme, String host) {
        int length = scheme.length() + 3 + host.length();
        return origin.length() == length && origin.regionMatches(true, 0, scheme, 0, scheme.length())
                && origin.startsWith("://", scheme.length())
                && origin.regionMatches(true, scheme.length() + 3, host, 0, host.length());
    }

    /**
     * An origin as scheme, lower-case host and port, the scheme's default port left out, so that the
     * spellings a browser or an operator may use for the same origin compare equal. Text that is no
     * URI stays distinct from every origin.
     */
    static String normalise(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            int port = uri.getPort();
            if (port == -1 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))) {
                return scheme + "://" + String.valueOf(uri.getHost()).toLowerCase();
            }
            return scheme + "://" + String.valueOf(uri.getHost()).toLowerCase() + ":" + port;
        } catch (IllegalArgumentException e) {
            return "invalid:" + origin;
        }
    }
}
