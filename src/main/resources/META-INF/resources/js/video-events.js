// video-events browser client: one socket to /events for any number of videos and the caller's feed, with
// automatic reconnect (exponential backoff with jitter), resume by version or cursor, and duplicate dropping.
// No dependencies; works in browsers and any runtime with a WebSocket global.

const CLOSE_NORMAL = 1000;
// the server accepts 50 messages per second per socket by default; stay below it when re-subscribing many videos
const MESSAGES_PER_SECOND = 40;
// close codes after which reconnecting cannot help until something changes (see docs/protocol.md)
const CLOSE_FINAL = new Set([4401, 4403]);
// errors that end the watch of a video: the server will not send it again
const ERROR_FINAL = new Set(['not_found', 'forbidden']);
// errors after which a video's subscribe is sent again, a little later, from the last version received
const ERROR_RETRY = new Set(['internal', 'rate_limited']);

/**
 * Opens a client. `url` is the ws(s) URL of the /events endpoint, or of the service (then /events is
 * appended). Options: token, minDelayMs, maxDelayMs, onStateChange, onError, WebSocket.
 */
export function connect(url, options = {}) {
  return new VideoEventsClient(url, options);
}

export class VideoEventsClient {
  constructor(url, options = {}) {
    this.url = eventsUrl(url);
    this.token = options.token ?? null;
    this.minDelayMs = options.minDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 30000;
    this.onError = options.onError ?? (() => {});
    this.WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    this.videos = new Map(); // videoId -> { last: number | null, listeners: Set<function> }
    this.feed = null; // { cursor: string | null, listeners: Set<function> } while the feed is watched
    this.stateListeners = new Set();
    if (options.onStateChange) this.stateListeners.add(options.onStateChange);
    this.state = 'connecting';
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.closedByUser = false;
    this.outbox = [];
    this.sentAt = [];
    this.pumpTimer = null;
    this.open();
  }

  /**
   * Watches a video; `onEvent` gets every snapshot and status message of it, each version once and in order,
   * and the messages that end the watch: `deleted` (the video was deleted; an id created again is a new
   * video, to be watched anew) or an `error` with code `not_found` or `forbidden`. Returns the unwatch function.
   */
  watch(videoId, onEvent) {
    let video = this.videos.get(videoId);
    if (!video) {
      video = { last: null, tag: null, listeners: new Set() };
      this.videos.set(videoId, video);
      this.sendSubscribe(videoId, video);
    }
    video.listeners.add(onEvent);
    return () => {
      video.listeners.delete(onEvent);
      if (video.listeners.size === 0 && this.videos.get(videoId) === video) {
        this.videos.delete(videoId);
        this.send({ type: 'unsubscribe', videoId });
      }
    };
  }

  /**
   * Watches the caller's feed: every video they may watch (their own; all for an admin). `onEvent` gets the
   * `feedSubscribed` answer, the snapshot pages (`feedSnapshot`, the last one `complete`), then every change
   * (`feed`) once and in order, also across reconnects (the client resumes with the last cursor), and the
   * feed's errors. A `feedSnapshot` with `resync` replaces everything known before. `options.cursor` resumes
   * from a cursor kept elsewhere (e.g. storage). Returns the function that stops watching.
   */
  watchFeed(onEvent, options = {}) {
    if (!this.feed) {
      this.feed = { cursor: options.cursor ?? null, listeners: new Set() };
      this.sendFeedSubscribe();
    }
    const feed = this.feed;
    feed.listeners.add(onEvent);
    return () => {
      feed.listeners.delete(onEvent);
      if (feed.listeners.size === 0 && this.feed === feed) {
        this.feed = null;
        this.send({ type: 'unsubscribeFeed' });
      }
    };
  }

  /** The cursor of the last feed message received, or null: keep it to resume later with `watchFeed(…, { cursor })`. */
  lastFeedCursor() {
    return this.feed?.cursor ?? null;
  }

  /** Calls `listener(state, detail)` on every change of the connection state; returns the function that stops it. */
  onState(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** The tag of the last change received for a video, or null. */
  lastTag(videoId) {
    return this.videos.get(videoId)?.tag ?? null;
  }

  /** The last version received for a video, or null. */
  lastVersion(videoId) {
    return this.videos.get(videoId)?.last ?? null;
  }

  /** Replaces the token: sent at once on an open socket, and used for every reconnect. */
  setToken(token) {
    this.token = token;
    if (this.state === 'open' && token) this.send({ type: 'auth', token });
  }

  /** Closes for good: no more reconnects. */
  close() {
    this.closedByUser = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(CLOSE_NORMAL);
    this.setState('closed', { code: CLOSE_NORMAL });
  }

  open() {
    const socket = new this.WebSocketImpl(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.outbox = [];
      if (this.token) this.send({ type: 'auth', token: this.token });
      for (const [videoId, video] of this.videos) this.sendSubscribe(videoId, video);
      if (this.feed) this.sendFeedSubscribe();
      this.setState('open');
    };
    socket.onmessage = (frame) => this.receive(frame.data);
    socket.onclose = (close) => this.closed(socket, close);
    socket.onerror = () => {}; // a close event follows; that is where reconnecting is decided
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === 'subscribed' || message.type === 'unsubscribed' || message.type === 'feedUnsubscribed') return;
    if (message.type === 'feedSubscribed' || message.type === 'feedSnapshot' || message.type === 'feed'
        || (message.type === 'error' && message.feed)) {
      this.receiveFeed(message);
      return;
    }
    if (message.type === 'error') {
      this.onError(message);
      const video = message.videoId && this.videos.get(message.videoId);
      if (!video) return;
      if (ERROR_FINAL.has(message.code)) this.videos.delete(message.videoId);
      if (ERROR_RETRY.has(message.code)) this.retrySubscribe(message.videoId, video);
      video.listeners.forEach((listener) => safely(listener, message));
      return;
    }
    if (message.type === 'deleted') {
      const video = this.videos.get(message.videoId);
      if (!video) return;
      // the stream is over; a video created again under this id is watched with a new watch()
      this.videos.delete(message.videoId);
      video.listeners.forEach((listener) => safely(listener, message));
      return;
    }
    if (message.type !== 'snapshot' && message.type !== 'status') return;
    const video = this.videos.get(message.videoId);
    if (!video) return;
    if (message.type === 'status' && video.last !== null && message.version <= video.last) return; // duplicate
    if (message.type === 'snapshot' && !message.resync && video.last !== null && message.version <= video.last) return;
    video.last = message.version;
    // the tag proves which change that version was: a database that lost it answers the resume with a resync
    video.tag = message.tag ?? null;
    video.listeners.forEach((listener) => safely(listener, message));
  }

  receiveFeed(message) {
    const feed = this.feed;
    if (message.type === 'error') this.onError(message);
    if (!feed) return;
    if (message.type === 'error') {
      if (message.code === 'forbidden') this.feed = null;
      if (message.code === 'internal' || message.code === 'rate_limited') this.retryFeed(feed);
      if (message.code === 'bad_request' && feed.cursor !== null) {
        // a cursor the service never gave (or garbled in storage): start over from a snapshot
        feed.cursor = null;
        this.sendFeedSubscribe();
      }
    } else if (message.type === 'feedSnapshot') {
      feed.cursor = message.cursor;
    } else if (message.type === 'feed') {
      if (!cursorAfter(message.cursor, feed.cursor)) return; // already seen
      feed.cursor = message.cursor;
    }
    feed.listeners.forEach((listener) => safely(listener, message));
  }

  retryFeed(feed) {
    setTimeout(() => {
      if (this.feed === feed) this.sendFeedSubscribe();
    }, 1000 + Math.random() * 1000);
  }

  sendFeedSubscribe() {
    const message = { type: 'subscribeFeed' };
    if (this.feed.cursor) message.cursor = this.feed.cursor;
    this.send(message);
  }

  // The server could not start (or went on with) this video's subscription: ask again in 1–2 s, from the
  // last version received, unless the video is no longer watched by then.
  retrySubscribe(videoId, video) {
    setTimeout(() => {
      if (this.videos.get(videoId) === video) this.sendSubscribe(videoId, video);
    }, 1000 + Math.random() * 1000);
  }

  closed(socket, close) {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.closedByUser) return;
    if (CLOSE_FINAL.has(close.code)) {
      this.setState('closed', { code: close.code, reason: close.reason });
      return;
    }
    const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2); // jitter: spread reconnects out
    this.attempt += 1;
    this.setState('reconnecting', { code: close.code, reason: close.reason, delayMs: delay, attempt: this.attempt });
    this.timer = setTimeout(() => this.open(), delay);
  }

  sendSubscribe(videoId, video) {
    const message = { type: 'subscribe', videoId };
    if (video.last !== null) message.after = video.last;
    if (video.last !== null && video.tag) message.tag = video.tag;
    this.send(message);
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== 1) return; // (re)subscribes happen on open anyway
    this.outbox.push(JSON.stringify(message));
    this.pump();
  }

  // Sends queued messages at most MESSAGES_PER_SECOND per rolling second.
  pump() {
    clearTimeout(this.pumpTimer);
    const now = Date.now();
    while (this.sentAt.length && now - this.sentAt[0] >= 1000) this.sentAt.shift();
    while (this.outbox.length && this.sentAt.length < MESSAGES_PER_SECOND) {
      if (!this.socket || this.socket.readyState !== 1) {
        this.outbox = [];
        return;
      }
      this.socket.send(this.outbox.shift());
      this.sentAt.push(now);
    }
    if (this.outbox.length) this.pumpTimer = setTimeout(() => this.pump(), 1000 - (now - this.sentAt[0]) + 5);
  }

  setState(state, detail = {}) {
    if (this.state === state && state !== 'reconnecting') return;
    this.state = state;
    this.stateListeners.forEach((listener) => safely(listener, state, detail));
  }
}

function eventsUrl(url) {
  const u = new URL(url, globalThis.location?.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (!u.pathname.endsWith('/events')) u.pathname = u.pathname.replace(/\/$/, '') + '/events';
  return u.toString();
}

// Whether change cursor `next` ("c.<position>.<seq>") comes after `last` (a change cursor, a snapshot cursor
// "s.…" or null: anything after a snapshot comes after it).
function cursorAfter(next, last) {
  if (!last || !last.startsWith('c.')) return true;
  const [, p1, s1] = next.split('.');
  const [, p0, s0] = last.split('.');
  const byPosition = BigInt(p1) - BigInt(p0);
  return byPosition > 0n || (byPosition === 0n && BigInt(s1) > BigInt(s0));
}

function safely(fn, ...args) {
  try {
    fn(...args);
  } catch (e) {
    console.error('video-events listener failed', e);
  }
}
