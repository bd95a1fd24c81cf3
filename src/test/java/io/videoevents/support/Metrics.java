package io.videoevents.support;

import static io.restassured.RestAssured.given;

import java.util.OptionalDouble;

/** Reads one series from the service's Prometheus endpoint, as a scraper would. */
public final class Metrics {

    private Metrics() {
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
}
