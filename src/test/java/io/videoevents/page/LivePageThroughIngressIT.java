package io.videoevents.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.videoevents.support.IngressTopology;
import io.videoevents.support.Ids;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;

/**
 * The live page in headless Chromium, served through nginx in front of 3 replicas of the packaged jar: the
 * replica holding the page's socket is killed ({@code kill -9}) while a worker keeps changing the video, and
 * the page, without a reload, reconnects through nginx to another replica and shows every change, in order.
 */
class LivePageThroughIngressIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void thePageKeepsEveryChangeWhenItsReplicaIsKilled() throws Exception {
        Path profile = Files.createTempDirectory("video-events-chromium");
        WebDriver browser = null;
        try (IngressTopology topology = new IngressTopology("page", 3, Map.of(), 0, Duration.ofSeconds(60))) {
            ChromeOptions options = new ChromeOptions()
                    .setBinary("/usr/bin/chromium")
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-quic", "--no-first-run", "--window-size=1280,900", "--user-data-dir=" + profile);
            browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
            WebDriver page = browser;

            page.get(topology.base() + "?token=" + TestTokens.withGroups("alice", "video-writer"));
            waitFor(page, () -> "open".equals(connectionState(page)));
            ((org.openqa.selenium.JavascriptExecutor) page).executeScript("window.__noReload = 'still here';");

            String id = Ids.fresh("ingress-page");
            page.findElement(By.id("new-id")).sendKeys(id);
            page.findElement(By.id("create-button")).click();
            waitFor(page, () -> rowShows(page, id, "pending", 1));

            // the page's socket is the only one: the replica that counts one holds it
            await().atMost(WAIT).until(() -> IntStream.range(0, 3).map(topology::connections).sum() == 1);
            int holder = IntStream.range(0, 3).filter(i -> topology.connections(i) == 1).findFirst().orElseThrow();

            try (WorkerSql worker = topology.database().worker()) {
                worker.setStatus(id, "processing");
                waitFor(page, () -> rowShows(page, id, "processing", 2));

                topology.replica(holder).kill();
                topology.replica(holder).awaitExit(Duration.ofSeconds(10));
                worker.setStatus(id, "processed");
                worker.setStatus(id, "failed");
                worker.setStatus(id, "pending");
                waitFor(page, () -> rowShows(page, id, "pending", 5));
            }
            waitFor(page, () -> "open".equals(connectionState(page)));
            int now = IntStream.range(0, 3).filter(i -> i != holder && topology.connections(i) == 1).findFirst().orElse(-1);
            System.out.printf("page through nginx: socket on replica %d, which was killed; back on replica %d%n", holder, now);
            assertThat(now).as("the page's socket is on a surviving replica").isNotEqualTo(-1);

            assertThat(((org.openqa.selenium.JavascriptExecutor) page).executeScript("return window.__noReload;")).isEqualTo("still here");
            String log = page.findElement(By.id("log")).getText();
            assertThat(log).contains(id + " v2: pending → processing", id + " v3: processing → processed",
                    id + " v4: processed → failed", id + " v5: failed → pending");
            // the log shows the newest line first
            assertThat(log.indexOf(id + " v5:")).isLessThan(log.indexOf(id + " v4:"));
            assertThat(log.indexOf(id + " v4:")).isLessThan(log.indexOf(id + " v3:"));
            assertThat(log.indexOf(id + " v3:")).isLessThan(log.indexOf(id + " v2:"));
            assertThat(log.split(java.util.regex.Pattern.quote(id + " v4:"), -1)).as("v4 shown once").hasSize(2);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String connectionState(WebDriver page) {
        return page.findElement(By.id("connection")).getAttribute("data-state");
    }

    private static boolean rowShows(WebDriver page, String id, String status, long version) {
        var rows = page.findElements(By.cssSelector("tr[data-video-id='" + id + "']"));
        return !rows.isEmpty() && status.equals(rows.get(0).getAttribute("data-status"))
                && String.valueOf(version).equals(rows.get(0).getAttribute("data-version"));
    }

    private static void waitFor(WebDriver page, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(page, WAIT).until(driver -> condition.getAsBoolean());
    }
}
