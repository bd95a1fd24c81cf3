package io.videoevents.video;

/** The rule for a version given as text ({@code ?after=V} on REST and on the one-video socket). */
public final class Versions {

    public static final String AFTER_RULE = "after must be a non-negative integer (the last version you received)";

    private Versions() {
    }

    /** @throws IllegalArgumentException with {@link #AFTER_RULE} unless {@code value} is 0 … 10^18-1 in plain digits */
    public static long parseAfter(String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(AFTER_RULE);
        }
        return Long.parseLong(value);
    }
}
