// Type declarations for /js/video-events.js

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StateDetail {
  /** WebSocket close code that caused the change, if any. */
  code?: number;
  reason?: string;
  /** Wait before the next attempt (state 'reconnecting'). */
  delayMs?: number;
  attempt?: number;
}

export interface SnapshotMessage {
  type: 'snapshot';
  videoId: string;
  version: number;
  status: 'pending' | 'processing' | 'processed' | 'failed';
  updatedAt: string;
  /**
   * True when the client's `after` could not be served from the log (retention took it, or the database no longer
   * holds the change the client saw there, as after a failover that lost commits): start over from this state.
   */
  resync?: boolean;
  /** The tag of the change that set this version; absent when the log no longer holds it. */
  tag?: string;
}

export interface StatusMessage {
  type: 'status';
  videoId: string;
  version: number;
  status: 'pending' | 'processing' | 'processed' | 'failed';
  previousStatus: 'pending' | 'processing' | 'processed' | 'failed' | null;
  occurredAt: string;
  /** The change's tag: sent back with `after` on a resume, it proves which change the client saw at that version. */
  tag: string;
}

export interface ErrorMessage {
  type: 'error';
  code: 'bad_request' | 'not_found' | 'forbidden' | 'too_many_subscriptions' | 'rate_limited' | 'internal';
  message: string;
  videoId?: string;
  /** True when the error concerns the feed. */
  feed?: boolean;
}

/**
 * The video was deleted: nothing more of it follows and the watch is over. An id that is created again is
 * a new video with its own versions; watch it again to follow it.
 */
export interface DeletedMessage {
  type: 'deleted';
  videoId: string;
}

export type VideoEvent = SnapshotMessage | StatusMessage | DeletedMessage | ErrorMessage;

export type VideoStatus = 'pending' | 'processing' | 'processed' | 'failed';

/** A video as a feed snapshot lists it. */
export interface FeedVideo {
  videoId: string;
  version: number;
  status: VideoStatus;
  updatedAt: string;
  /** Absent for a video without an owner (admins only). */
  ownerId?: string;
}

/** The answer to subscribing: `all` videos (admins) or the caller's own (`owner`, with `ownerId`). */
export interface FeedSubscribedMessage {
  type: 'feedSubscribed';
  scope: 'all' | 'owner';
  ownerId?: string;
}

/** One page of the feed's videos, by id. `resync`: replace everything known before with these pages. */
export interface FeedSnapshotMessage {
  type: 'feedSnapshot';
  videos: FeedVideo[];
  /** The last page: changes follow. */
  complete: boolean;
  resync?: boolean;
  cursor: string;
}

/**
 * One change of the feed, with the video's state after it. `created`, `status`: the video is (still) in the
 * feed; `entered`: it became the caller's; `owner` (feed of all videos): its owner changed; `left`: it is no
 * longer the caller's (no state follows); `deleted`: it is gone.
 */
export interface FeedChangeMessage {
  type: 'feed';
  change: 'created' | 'status' | 'entered' | 'owner' | 'left' | 'deleted';
  videoId: string;
  version: number;
  status?: VideoStatus;
  previousStatus?: VideoStatus;
  ownerId?: string;
  previousOwnerId?: string;
  occurredAt: string;
  cursor: string;
}

export type FeedEvent = FeedSubscribedMessage | FeedSnapshotMessage | FeedChangeMessage | ErrorMessage;

export interface WatchFeedOptions {
  /** Resume from this cursor (from a feed message or snapshot page) instead of starting with a snapshot. */
  cursor?: string;
}

export interface ConnectOptions {
  /** JWT sent as the first message ({"type":"auth"}) on every (re)connect. */
  token?: string;
  /** Backoff bounds for reconnecting; each wait is random in [ceiling/2, ceiling], the ceiling doubling per attempt. */
  minDelayMs?: number;
  maxDelayMs?: number;
  onStateChange?: (state: ConnectionState, detail: StateDetail) => void;
  /** Every error message from the server, with or without a videoId. */
  onError?: (error: ErrorMessage) => void;
  /** A WebSocket implementation for runtimes without a global one. */
  WebSocket?: typeof WebSocket;
}

export declare class VideoEventsClient {
  readonly state: ConnectionState;
  /**
   * Watch a video: `onEvent` receives its snapshot (or replay) and every change, each version once, in order.
   * The watch ends by itself with a `deleted` message, or an `error` with code `not_found` or `forbidden`;
   * after `internal` or `rate_limited` the client subscribes again by itself.
   */
  watch(videoId: string, onEvent: (event: VideoEvent) => void): () => void;
  /**
   * Watch the caller's feed: the answer, the snapshot pages, then every change once and in order, resumed by
   * cursor across reconnects. After `internal` or `rate_limited` the client subscribes again by itself; after a
   * `bad_request` for its cursor it starts over with a snapshot; `forbidden` ends the watch.
   */
  watchFeed(onEvent: (event: FeedEvent) => void, options?: WatchFeedOptions): () => void;
  /** The cursor of the last feed message received, or null. */
  lastFeedCursor(): string | null;
  onState(listener: (state: ConnectionState, detail: StateDetail) => void): () => void;
  lastVersion(videoId: string): number | null;
  /** The tag of the last change received for a video, or null; a resume sends it with the version. */
  lastTag(videoId: string): string | null;
  setToken(token: string): void;
  close(): void;
}

/** `url`: the ws(s):// or http(s):// URL of the service or of its /events endpoint. */
export declare function connect(url: string, options?: ConnectOptions): VideoEventsClient;
