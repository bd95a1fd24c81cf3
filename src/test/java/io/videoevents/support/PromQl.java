package io.videoevents.support;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the series a PromQL expression reads, for tests that check a dashboard or a rule file against
 * what the service exports. Not a parser: it removes what can hold other words (strings, label matchers, range
 * and subquery brackets, the label lists of {@code by}, {@code without}, {@code on}, {@code ignoring},
 * {@code group_left}, {@code group_right}) and keeps the identifiers that are neither a function, an aggregation
 * nor a keyword. Grafana's variables ({@code $job}, {@code $__rate_interval}) may appear where they do.
 */
public final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern BRACKETS = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$",
            Pattern.DOTALL);
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "atan2", "inf", "nan", "Inf", "NaN");

    private PromQl() {
    }

    /** The series names {@code expression} reads, in the order they first appear. */
    public static Set<String> seriesNames(String expression) {
        String text = STRING.matcher(expression).replaceAll("\"\"");
        text = MATCHERS.matcher(text).replaceAll(" ");
        text = BRACKETS.matcher(text).replaceAll(" ");
        text = LABEL_LIST.matcher(text).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            String word = identifier.group();
            int before = identifier.start() - 1;
            if (before >= 0 && (text.charAt(before) == '$' || Character.isDigit(text.charAt(before)) || text.charAt(before) == '.')) {
                continue; // a Grafana variable, or the exponent or unit of a number or duration
            }
            int after = identifier.end();
            while (after < text.length() && Character.isWhitespace(text.charAt(after))) {
                after++;
            }
            if (after < text.length() && text.charAt(after) == '(') {
                continue; // a function or an aggregation
            }
            if (!KEYWORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /**
     * The series names a Grafana variable query reads: {@code label_values(selector, label)} reads the selector's
     * series; any other query is PromQL.
     */
    public static Set<String> variableSeriesNames(String query) {
        Matcher labelValues = LABEL_VALUES.matcher(query);
        if (labelValues.matches()) {
            return seriesNames(labelValues.group(1));
        }
        if (query.trim().matches("label_values\\(\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)|label_names\\(\\s*\\)")) {
            return Set.of();
        }
        return seriesNames(query);
    }
}
