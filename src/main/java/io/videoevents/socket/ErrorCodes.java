package io.videoevents.socket;

/** The contract's socket error codes and close codes, in one place. */
final class ErrorCodes {

    static final String BAD_REQUEST = "bad_request";
    static final String NOT_FOUND = "not_found";
    static final String INTERNAL = "internal";
    static final String TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions";
    static final String RATE_LIMITED = "rate_limited";
    static final String FORBIDDEN = "forbidden";

    /** Standard: the server goes away (shutdown); reconnect elsewhere and resume with {@code after}. */
    static final int CLOSE_GOING_AWAY = 1001;
    /** Standard: the client broke the protocol. */
    static final int CLOSE_POLICY = 1008;
    /** Standard: a frame above the size limit. */
    static final int CLOSE_TOO_BIG = 1009;
    /** Standard: the server failed unexpectedly (e.g. the database did not answer); retry with {@code after}. */
    static final int CLOSE_INTERNAL = 1011;
    static final int CLOSE_UNAUTHENTICATED = 4401;
    static final int CLOSE_FORBIDDEN = 4403;
    static final int CLOSE_NOT_FOUND = 4404;
    static final int CLOSE_TOO_SLOW = 4408;

    private ErrorCodes() {
    }
}
