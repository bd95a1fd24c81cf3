package io.videoevents.page;

import io.quarkus.test.junit.QuarkusTest;

/** The live page with authentication off (the dev and test default). */
@QuarkusTest
class LivePageBrowserTest extends LivePageScenario {

    @Override
    String pageToken() {
        return null;
    }

    @Override
    String pageOwner() {
        return null;
    }

    @Override
    String writerAuthorization() {
        return null;
    }

    @Override
    String screenshotName() {
        return "live-page.png";
    }
}
