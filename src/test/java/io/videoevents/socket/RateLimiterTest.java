package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-socket message rate, on a clock the test moves. */
class RateLimiterTest {

    static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstOfTheRateIsAcceptedThenRefused() {
        RateLimiter limiter = new RateLimiter(10, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.admit(0)).as("message %d", i).isEqualTo(RateLimiter.Verdict.ACCEPT);
        }
        assertThat(limiter.admit(0)).isEqualTo(RateLimiter.Verdict.REFUSE);
    }

    @Test
    void tokensComeBackAtTheRate() {
        RateLimiter limiter = new RateLimiter(10, 0);
        for (int i = 0; i < 10; i++) {
            limiter.admit(0);
        }
        assertThat(limiter.admit(SECOND / 20)).as("half a token later").isEqualTo(RateLimiter.Verdict.REFUSE);
        assertThat(limiter.admit(SECOND / 10 + SECOND / 20)).as("one token later").isEqualTo(RateLimiter.Verdict.ACCEPT);
        assertThat(limiter.admit(SECOND / 10 + SECOND / 20)).isEqualTo(RateLimiter.Verdict.REFUSE);
    }

    @Test
    void anIdleSocketGetsNoMoreThanOneBurst() {
        RateLimiter limiter = new RateLimiter(5, 0);
        long later = 3600 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.admit(later)).isEqualTo(RateLimiter.Verdict.ACCEPT);
        }
        assertThat(limiter.admit(later)).isEqualTo(RateLimiter.Verdict.REFUSE);
    }

    @Test
    void aClientThatKeepsSendingAfterAsManyRefusalsIsClosed() {
        RateLimiter limiter = new RateLimiter(3, 0);
        for (int i = 0; i < 3; i++) {
            limiter.admit(0);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.admit(0)).as("refusal %d", i).isEqualTo(RateLimiter.Verdict.REFUSE);
        }
        assertThat(limiter.admit(0)).isEqualTo(RateLimiter.Verdict.CLOSE);
    }

    @Test
    void anAcceptedMessageForgivesEarlierRefusals() {
        RateLimiter limiter = new RateLimiter(3, 0);
        for (int i = 0; i < 6; i++) {
            limiter.admit(0);
        }
        assertThat(limiter.admit(SECOND)).isEqualTo(RateLimiter.Verdict.ACCEPT);
        for (int i = 0; i < 2; i++) {
            limiter.admit(SECOND);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.admit(SECOND)).isEqualTo(RateLimiter.Verdict.REFUSE);
        }
    }
}
