package io.videoevents.page;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.AuthProfile;
import io.videoevents.support.TestTokens;

/** The live page with authentication on: the page holds a token for alice, who may create and change videos. */
@QuarkusTest
@TestProfile(AuthProfile.class)
class LivePageWithAuthBrowserTest extends LivePageScenario {

    @Override
    String pageToken() {
        return TestTokens.withGroups("alice", "video-writer");
    }

    @Override
    String pageOwner() {
        return "alice";
    }

    @Override
    String writerAuthorization() {
        return "Bearer " + TestTokens.withGroups("worker-1", "video-writer");
    }

    @Override
    String screenshotName() {
        return "live-page-auth.png";
    }
}
