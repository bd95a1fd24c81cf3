package io.videoevents.video;

import java.util.regex.Pattern;

/** The contract's rule for video ids, shared by REST and sockets; the database checks the same rule. */
public final class VideoIds {

    public static final String REGEX = "^[A-Za-z0-9._:-]{1,200}$";
    public static final String RULE = "1 to 200 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";

    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private VideoIds() {
    }

    public static boolean isValid(String id) {
        return id != null && id.length() <= 200 && PATTERN.matcher(id).matches();
    }
}
