package io.videoevents.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The origin check compares origins after normalising both sides: the allow-list entries an operator
 * writes and the {@code Origin} a browser sends. Two spellings of one origin must compare equal; two
 * origins must never.
 */
class OriginNormalisationTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "https://app.example.com,       https://app.example.com",
            "HTTPS://App.Example.COM,       https://app.example.com",
            "https://app.example.com:443,   https://app.example.com",
            "http://app.example.com:80,     http://app.example.com",
            "https://app.example.com/,      https://app.example.com",
            "https://app.example.com/page?q=1, https://app.example.com",
            "'  https://app.example.com  ', https://app.example.com",
            "http://localhost:8080,         http://localhost:8080",
            "HTTP://LocalHost:8080,         http://localhost:8080",
            "http://127.0.0.1:8080,         http://127.0.0.1:8080",
            "http://[::1]:8080,             http://[::1]:8080" })
    void oneOriginHasOneForm(String written, String normalised) {
        assertThat(UpgradeCheck.normalise(written)).isEqualTo(normalised);
    }

    @ParameterizedTest(name = "{0} <> {1}")
    @CsvSource({
            // scheme, host and port each make another origin
            "https://app.example.com,       http://app.example.com",
            "https://app.example.com,       https://app.example.com:8443",
            "https://app.example.com,       https://evil.example.com",
            "https://app.example.com,       https://app.example.com.evil.example",
            "https://app.example.com,       https://evil-app.example.com",
            // a default port belongs to its own scheme only
            "https://app.example.com:80,    https://app.example.com",
            "http://app.example.com:443,    http://app.example.com",
            "http://localhost:8080,         http://localhost:8081" })
    void differentOriginsStayDifferent(String one, String other) {
        assertThat(UpgradeCheck.normalise(one)).isNotEqualTo(UpgradeCheck.normalise(other));
    }

    @Test
    void textThatIsNoUriMatchesNoOrigin() {
        String broken = UpgradeCheck.normalise("https://app example.com");
        assertThat(broken).startsWith("invalid:");
        assertThat(broken).isNotEqualTo(UpgradeCheck.normalise("https://app.example.com"));
        assertThat(UpgradeCheck.normalise("https://a b")).isNotEqualTo(UpgradeCheck.normalise("https://c d"));
    }

    @Test
    void theOpaqueOriginOfSandboxedPagesMatchesNoRealOrigin() {
        // browsers send "Origin: null" from sandboxed frames and file pages
        assertThat(UpgradeCheck.normalise("null")).isNotEqualTo(UpgradeCheck.normalise("http://null"));
        assertThat(UpgradeCheck.normalise("null")).doesNotStartWith("http");
    }
}
