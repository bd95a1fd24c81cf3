package io.videoevents.bench;

/** Reads the two or three fields the tool needs straight out of a frame's text. */
final class Json {

    private Json() {
    }

    /** The string value of a top-level field, or null. */
    static String string(String text, String field) {
        int start = valueStart(text, field);
        if (start < 0 || text.charAt(start) != '"') {
            return null;
        }
        int end = text.indexOf('"', start + 1);
        return end < 0 ? null : text.substring(start + 1, end);
    }

    /** The integer value of a top-level field, or -1. */
    static long number(String text, String field) {
        int at = valueStart(text, field);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        boolean any = false;
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            value = value * 10 + (text.charAt(at++) - '0');
            any = true;
        }
        return any ? value : -1;
    }

    private static int valueStart(String text, String field) {
        int at = text.indexOf("\"" + field + "\"");
        if (at < 0) {
            return -1;
        }
        at += field.length() + 2;
        while (at < text.length() && (text.charAt(at) == ':' || text.charAt(at) == ' ')) {
            at++;
        }
        return at < text.length() ? at : -1;
    }
}
