package io.videoevents.support;

import java.util.UUID;

/** Fresh video ids, so tests sharing a database never see each other's rows. */
public final class Ids {

    private Ids() {
    }

    public static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }
}
