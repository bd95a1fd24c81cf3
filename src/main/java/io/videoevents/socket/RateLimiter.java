package io.videoevents.socket;

/**
 * A token bucket over one socket's messages: up to {@code perSecond} messages a second, with a burst of
 * as many. A message that finds no token is refused; a client that keeps sending after {@code perSecond}
 * refusals in a row is to be closed. Time is given by the caller (nanoseconds), so the rule is testable
 * without a clock. Not thread-safe: one socket's messages arrive on one thread.
 */
final class RateLimiter {

    /** What to do with a message. */
    enum Verdict {
        ACCEPT, REFUSE, CLOSE
    }

    private final int perSecond;
    private double tokens;
    private long refilledAt;
    private int refusedInARow;

    RateLimiter(int perSecond, long nowNanos) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.refilledAt = nowNanos;
    }

    Verdict admit(long nowNanos) {
        tokens = Math.min(perSecond, tokens + (nowNanos - refilledAt) * perSecond / 1e9);
        refilledAt = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            refusedInARow = 0;
            return Verdict.ACCEPT;
        }
        return ++refusedInARow > perSecond ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
