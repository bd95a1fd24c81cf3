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
  /** True when the client's `after` could not be served from the log: start over from this state. */
  resync?: boolean;
}

export interface StatusMessage {
  type: 'status';
  videoId: string;
  version: number;
  status: 'pending' | 'processing' | 'processed' | 'failed';
  previousStatus: 'pending' | 'processing' | 'processed' | 'failed' | null;
  occurredAt: string;
}

export interface ErrorMessage {
  type: 'error';
  code: 'bad_request' | 'not_found' | 'forbidden' | 'too_many_subscriptions' | 'rate_limited' | 'internal';
  message: string;
  videoId?: string;
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
  onState(listener: (state: ConnectionState, detail: StateDetail) => void): () => void;
  lastVersion(videoId: string): number | null;
  setToken(token: string): void;
  close(): void;
}

/** `url`: the ws(s):// or http(s):// URL of the service or of its /events endpoint. */
export declare function connect(url: string, options?: ConnectOptions): VideoEventsClient;
