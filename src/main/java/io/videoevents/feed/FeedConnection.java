package io.videoevents.feed;

import io.videoevents.subscription.Connection;

/** A socket that can hold a feed, at most one at a time: what a feed needs of it beyond a subscription's needs. */
public interface FeedConnection extends Connection {

    /** Sets the socket's feed unless it has one or is closing; returns false then. */
    boolean addFeed(FeedSubscription subscription);

    /** The feed leaves the socket. */
    void removeFeed(FeedSubscription subscription);
}
