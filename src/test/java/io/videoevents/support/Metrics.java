package io.videoevents.support;

import static io.restassured.RestAssured.given;

import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/** Reads one series from the service's Prometheus endpoint, as a scraper would. */
public final class Metrics {

    private Metrics() {
    }

    /** The value of the sample whose name and labels are exactly {@code sample}, e.g. {@code x_bucket{le="+Inf"}}. */
    public static OptionalDouble sample(String sample) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(sample.length() + 1).trim()));
            }
        }
        return OptionalDouble.empty();
    }

    /** Whether the endpoint declares {@code series} with this Prometheus type ({@code counter}, {@code gauge} …). */
    public static boolean declared(String series, String type) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().anyMatch(line -> line.equals("# TYPE " + series + " " + type));
    }

    /** The value of the first sample named exactly {@code series} (labels allowed), if present. */
    public static OptionalDouble value(String series) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                String number = line.substring(line.lastIndexOf(' ') + 1);
                return OptionalDouble.of(Double.parseDouble(number));
            }
        }
        return OptionalDouble.empty();
    }

    /** The names of every sample the endpoint exports now ({@code x_bucket}, {@code x_total} …, without labels). */
    public static Set<String> names() {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> names = new TreeSet<>();
        text.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
