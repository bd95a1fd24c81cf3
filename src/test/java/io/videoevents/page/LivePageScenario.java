package io.videoevents.page;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.http.ContentType;
import io.videoevents.socket.TestHooks;
import io.videoevents.support.Ids;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * The live page in a real headless Chromium: create a video in the form, watch REST and plain-SQL
 * changes arrive without a reload, then lose the socket and see the page reconnect and show the
 * change made while it was away. Run once without and once with authentication. Whatever else it checks, a test
 * fails if the page logged a console error or any of its requests failed (a status of 400 or more, or no answer).
 */
abstract class LivePageScenario {

    static final Duration WAIT = Duration.ofSeconds(20);

    static WebDriver browser;
    static Path profile;

    @TestHTTPResource("/")
    URI base;

    @Inject
    TestHooks hooks;

    @BeforeAll
    static void startBrowser() throws Exception {
        profile = Files.createTempDirectory("video-events-chromium");
        ChromeOptions options = new ChromeOptions()
                .setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-quic", "--no-first-run", "--window-size=1280,900", "--user-data-dir=" + profile);
        // the console as the page's user would see it, and the DevTools network events (read as plain JSON, so
        // they need no DevTools classes of the browser's exact version)
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.setExperimentalOption("perfLoggingPrefs", Map.of("enableNetwork", true));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every test: the page logged no console error and none of its requests failed. */
    @AfterEach
    void noConsoleErrorsAndNoFailedRequests() {
        assertThat(pageProblems()).as("console errors and failed requests of the page").isEmpty();
    }

    /**
     * Console errors, and failed requests to or from the service's pages (a status of 400 or more, or no answer),
     * since the last call: reading the browser's logs empties them. Requests of the browser's own (its start page's)
     * are not the page's.
     */
    private List<String> pageProblems() {
        String origin = base.toString();
        List<String> problems = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                problems.add("console: " + entry.getMessage());
            }
        }
        Map<String, String> pageRequests = new HashMap<>(); // request id -> URL
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonObject event = new JsonObject(entry.getMessage()).getJsonObject("message");
            JsonObject params = event.getJsonObject("params");
            String url = pageRequests.get(params.getString("requestId", ""));
            switch (event.getString("method")) {
                case "Network.requestWillBeSent" -> {
                    String requested = params.getJsonObject("request").getString("url");
                    if (requested.startsWith(origin) || params.getString("documentURL", "").startsWith(origin)) {
                        pageRequests.put(params.getString("requestId"), requested);
                    }
                }
                case "Network.responseReceived" -> {
                    int status = params.getJsonObject("response").getInteger("status");
                    if (url != null && status >= 400) {
                        problems.add("request: " + status + " " + url);
                    }
                }
                case "Network.loadingFailed" -> {
                    if (url != null) {
                        problems.add("request: " + params.getString("errorText") + " " + url);
                    }
                }
                default -> {
                }
            }
        }
        return problems;
    }

    /** The token the page is opened with, or null. */
    abstract String pageToken();

    /** The page's user when authentication is on (the owner of "my videos"), or null. */
    abstract String pageOwner();

    /** The Authorization header value for the test's own REST calls, or null. */
    abstract String writerAuthorization();

    abstract String screenshotName();

    @Test
    void changesArriveLiveAndSurviveALostSocket() throws Exception {
        browser.get(base.toString() + (pageToken() == null ? "" : "?token=" + pageToken()));
        waitFor(() -> "open".equals(connectionState()));
        // a marker that a reload would erase
        js("window.__noReload = 'still here';");
        String title = pageOwner() == null ? "All videos" : "My videos";
        waitFor(() -> title.equals(browser.findElement(By.id("videos-title")).getText()));

        // a worker inserts a video for the page's user with plain SQL, another user's video comes before it: the
        // first appears by itself, the other never does (the feed's order makes the first a sync point)
        String bySql = Ids.fresh("page-sql");
        String someoneElses = Ids.fresh("page-other");
        try (WorkerSql worker = WorkerSql.connect()) {
            if (pageOwner() != null) {
                worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, '/uploads/o.mp4', 'mallory')", someoneElses);
            }
            worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, '/uploads/sql.mp4', ?)", bySql, pageOwner());
        }
        waitFor(() -> rowShows(bySql, "pending", 1));
        assertThat(browser.findElements(By.cssSelector("tr[data-video-id='" + someoneElses + "']"))).isEmpty();

        String id = Ids.fresh("page");
        browser.findElement(By.id("new-id")).sendKeys(id);
        browser.findElement(By.id("create-button")).click();
        waitFor(() -> rowShows(id, "pending", 1));

        var request = given().contentType(ContentType.JSON).body(Map.of("status", "processing"));
        if (writerAuthorization() != null) {
            request.header("Authorization", writerAuthorization());
        }
        request.put("/videos/{id}/status", id).then().statusCode(200);
        waitFor(() -> rowShows(id, "processing", 2));

        try (WorkerSql worker = WorkerSql.connect()) {
            worker.setStatus(id, "processed");
            waitFor(() -> rowShows(id, "processed", 3));

            row(id).findElement(By.cssSelector("button[data-status='failed']")).click();
            waitFor(() -> rowShows(id, "failed", 4));

            // lose the socket from the server side, with a reconnect delay long enough to change the video meanwhile
            js("window.videoEvents.minDelayMs = 8000; window.videoEvents.attempt = 0;");
            hooks.dropAllSockets();
            waitFor(() -> "reconnecting".equals(connectionState()));
            worker.setStatus(id, "pending");
            assertThat(rowVersion(id)).as("the page is away and cannot have seen version 5 yet").isEqualTo(4);

            waitFor(() -> "open".equals(connectionState()));
            waitFor(() -> rowShows(id, "pending", 5));
        }
        assertThat(js("return window.__noReload;")).isEqualTo("still here");
        String log = browser.findElement(By.id("log")).getText();
        assertThat(log).contains(id + " v5: failed → pending").doesNotContain("error");

        // a worker deletes the video: the row says so and takes no more clicks
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.update("DELETE FROM videos WHERE id = ?", id);
        }
        waitFor(() -> "deleted".equals(row(id).getAttribute("data-status")));
        assertThat(row(id).findElement(By.cssSelector("button[data-status='failed']")).isEnabled()).isFalse();
        // created again under the same id: a new video, whose versions continue above the deleted one's
        browser.findElement(By.id("new-id")).sendKeys(id);
        browser.findElement(By.id("create-button")).click();
        waitFor(() -> rowShows(id, "pending", 7));
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.setStatus(id, "processing");
        }
        waitFor(() -> rowShows(id, "processing", 8));
        assertThat(browser.findElement(By.id("log")).getText()).contains(id + " deleted").contains(id + " v8: pending → processing");
        screenshot();
    }

    private String connectionState() {
        return browser.findElement(By.id("connection")).getAttribute("data-state");
    }

    private WebElement row(String id) {
        return browser.findElement(By.cssSelector("tr[data-video-id='" + id + "']"));
    }

    private boolean rowShows(String id, String status, long version) {
        var rows = browser.findElements(By.cssSelector("tr[data-video-id='" + id + "']"));
        return !rows.isEmpty() && status.equals(rows.get(0).getAttribute("data-status"))
                && String.valueOf(version).equals(rows.get(0).getAttribute("data-version"));
    }

    private long rowVersion(String id) {
        return Long.parseLong(row(id).getAttribute("data-version"));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, WAIT).until(driver -> condition.getAsBoolean());
    }

    private void screenshot() throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of("target", screenshotName()), StandardCopyOption.REPLACE_EXISTING);
    }
}
