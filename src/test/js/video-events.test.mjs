// Unit tests of the browser client's rules (src/main/resources/META-INF/resources/js/video-events.js),
// run by `node --test` from JsClientTest. The WebSocket is a stand-in driven by the test: the server's
// side of the protocol is tested elsewhere against the real service.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../main/resources/META-INF/resources/js/video-events.js';

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code) { this.readyState = 3; this.onclose?.({ code: code ?? 1005, reason: '' }); }
  // driven by the test
  opened() { this.readyState = 1; this.onopen?.(); }
  receive(message) { this.onmessage?.({ data: JSON.stringify(message) }); }
  lost(code) { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
  static last() { return FakeSocket.all[FakeSocket.all.length - 1]; }
}

function client(options = {}) {
  const c = connect('ws://service.test', { WebSocket: FakeSocket, minDelayMs: 10, maxDelayMs: 20, ...options });
  FakeSocket.last().opened();
  return c;
}

function watcher(c, videoId) {
  const got = [];
  const unwatch = c.watch(videoId, (event) => got.push(event));
  return { got, unwatch };
}

const snapshot = (videoId, version, extra = {}) => ({ type: 'snapshot', videoId, version, status: 'pending', updatedAt: 'x', ...extra });
const status = (videoId, version, extra = {}) => ({ type: 'status', videoId, version, status: 'processing', previousStatus: 'pending', occurredAt: 'x', ...extra });

test('every version once, in order: duplicates and older versions are dropped', () => {
  const c = client();
  const v = watcher(c, 'v-1');
  const socket = FakeSocket.last();
  assert.deepEqual(socket.sent, [{ type: 'subscribe', videoId: 'v-1' }]);
  socket.receive(snapshot('v-1', 3));
  socket.receive(status('v-1', 4));
  socket.receive(status('v-1', 4));
  socket.receive(status('v-1', 2));
  socket.receive(status('v-1', 5));
  assert.deepEqual(v.got.map((e) => `${e.type} ${e.version}`), ['snapshot 3', 'status 4', 'status 5']);
  assert.equal(c.lastVersion('v-1'), 5);
  c.close();
});

test('after a lost socket it reconnects and resumes with after = the last version', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const c = client();
    watcher(c, 'v-1');
    const first = FakeSocket.last();
    first.receive(snapshot('v-1', 7));
    first.lost(1001);
    assert.equal(c.state, 'reconnecting');
    mock.timers.tick(50);
    const second = FakeSocket.last();
    assert.notEqual(second, first);
    second.opened();
    assert.deepEqual(second.sent, [{ type: 'subscribe', videoId: 'v-1', after: 7 }]);
    c.close();
  } finally {
    mock.timers.reset();
  }
});

test('a resume proves which change it saw: after and the tag of that change, the newest one after a resync', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const c = client();
    watcher(c, 'v-1');
    const first = FakeSocket.last();
    first.receive(snapshot('v-1', 7, { tag: 'AAAAAAA7' }));
    first.receive(status('v-1', 8, { tag: 'AAAAAAA8' }));
    assert.equal(c.lastTag('v-1'), 'AAAAAAA8');
    first.lost(1001);
    mock.timers.tick(50);
    const second = FakeSocket.last();
    second.opened();
    assert.deepEqual(second.sent, [{ type: 'subscribe', videoId: 'v-1', after: 8, tag: 'AAAAAAA8' }]);
    // the database lost version 8: the service answers with a resync snapshot, whose tag the next resume sends
    second.receive(snapshot('v-1', 7, { resync: true, tag: 'BBBBBBB7' }));
    second.lost(1001);
    mock.timers.tick(200);
    const third = FakeSocket.last();
    third.opened();
    assert.deepEqual(third.sent, [{ type: 'subscribe', videoId: 'v-1', after: 7, tag: 'BBBBBBB7' }]);
    c.close();
  } finally {
    mock.timers.reset();
  }
});

test('a resync snapshot replaces the state even when its version is lower', () => {
  const c = client();
  const v = watcher(c, 'v-1');
  const socket = FakeSocket.last();
  socket.receive(snapshot('v-1', 9));
  socket.receive(snapshot('v-1', 4, { resync: true }));
  socket.receive(status('v-1', 5));
  assert.deepEqual(v.got.map((e) => e.version), [9, 4, 5]);
  c.close();
});

test('deleted ends the watch: nothing more of that stream, no resubscribe, and a new watch follows the new stream', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const c = client();
    const old = watcher(c, 'v-1');
    const other = watcher(c, 'v-2');
    let socket = FakeSocket.last();
    socket.receive(snapshot('v-1', 3));
    socket.receive(snapshot('v-2', 1));
    socket.receive({ type: 'deleted', videoId: 'v-1' });
    socket.receive(status('v-1', 5));
    assert.deepEqual(old.got.map((e) => e.type), ['snapshot', 'deleted']);
    assert.equal(c.lastVersion('v-1'), null);

    socket.lost(1001);
    mock.timers.tick(50);
    socket = FakeSocket.last();
    socket.opened();
    assert.deepEqual(socket.sent, [{ type: 'subscribe', videoId: 'v-2', after: 1 }], 'the deleted video is not asked for again');

    // the id was created again: a new watch gets the new stream from its own snapshot
    const again = watcher(c, 'v-1');
    assert.deepEqual(socket.sent[1], { type: 'subscribe', videoId: 'v-1' });
    socket.receive(snapshot('v-1', 5));
    socket.receive(status('v-1', 6));
    assert.deepEqual(again.got.map((e) => e.version), [5, 6]);
    assert.equal(other.got.length, 1);
    c.close();
  } finally {
    mock.timers.reset();
  }
});

test('forbidden or not_found ends the watch', () => {
  const c = client();
  const v = watcher(c, 'v-1');
  const socket = FakeSocket.last();
  socket.receive(snapshot('v-1', 2));
  socket.receive({ type: 'error', code: 'forbidden', message: 'no', videoId: 'v-1' });
  socket.receive(status('v-1', 3));
  assert.deepEqual(v.got.map((e) => e.type), ['snapshot', 'error']);
  assert.equal(c.lastVersion('v-1'), null);
  c.close();
});

test('rate_limited or internal for a video: the subscribe is sent again later, from the last version', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const c = client();
    watcher(c, 'v-1');
    const socket = FakeSocket.last();
    socket.receive(snapshot('v-1', 4));
    socket.receive({ type: 'error', code: 'internal', message: 'later', videoId: 'v-1' });
    assert.equal(socket.sent.length, 1);
    mock.timers.tick(2100);
    assert.deepEqual(socket.sent[1], { type: 'subscribe', videoId: 'v-1', after: 4 });
    c.close();
  } finally {
    mock.timers.reset();
  }
});

test('4401 and 4403 stop reconnecting', () => {
  const c = client();
  FakeSocket.last().lost(4401);
  assert.equal(c.state, 'closed');
});

const change = (cursor, videoId, extra = {}) => ({ type: 'feed', change: 'status', videoId, version: 2, status: 'processing', occurredAt: 'x', cursor, ...extra });

test('the feed: subscribed once, pages and changes each once, in order; the cursor resumes it after a lost socket', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const c = client();
    const got = [];
    c.watchFeed((event) => got.push(event));
    const first = FakeSocket.last();
    assert.deepEqual(first.sent, [{ type: 'subscribeFeed' }]);
    first.receive({ type: 'feedSubscribed', scope: 'owner', ownerId: 'alice' });
    first.receive({ type: 'feedSnapshot', videos: [], complete: false, cursor: 's.90.YQ' });
    first.receive({ type: 'feedSnapshot', videos: [], complete: true, cursor: 'c.90.0' });
    first.receive(change('c.91.7', 'v-1'));
    first.receive(change('c.91.7', 'v-1'));
    first.receive(change('c.90.9', 'v-1'));
    first.receive(change('c.100.2', 'v-2'));
    assert.deepEqual(got.map((e) => e.cursor ?? e.type), ['feedSubscribed', 's.90.YQ', 'c.90.0', 'c.91.7', 'c.100.2']);
    assert.equal(c.lastFeedCursor(), 'c.100.2');

    first.lost(1001);
    mock.timers.tick(50);
    const second = FakeSocket.last();
    second.opened();
    assert.deepEqual(second.sent, [{ type: 'subscribeFeed', cursor: 'c.100.2' }]);
    second.receive(change('c.100.2', 'v-2'));
    second.receive(change('c.101.1', 'v-3'));
    assert.deepEqual(got.slice(5).map((e) => e.cursor), ['c.101.1']);
    c.close();
  } finally {
    mock.timers.reset();
  }
});

test('positions beyond what a double holds exactly still compare right', () => {
  const c = client();
  const got = [];
  c.watchFeed((event) => got.push(event), { cursor: 'c.9007199254740993.1' });
  const socket = FakeSocket.last();
  assert.deepEqual(socket.sent, [{ type: 'subscribeFeed', cursor: 'c.9007199254740993.1' }]);
  socket.receive(change('c.9007199254740992.5', 'v-1'));
  socket.receive(change('c.9007199254740993.2', 'v-1'));
  assert.deepEqual(got.map((e) => e.cursor), ['c.9007199254740993.2']);
  c.close();
});

test('a feed cursor refused as bad starts over from a snapshot; forbidden ends the feed; unwatching unsubscribes', () => {
  const errors = [];
  const c = client({ onError: (e) => errors.push(e.code) });
  const got = [];
  const stop = c.watchFeed((event) => got.push(event), { cursor: 'c.5.garbled' });
  const socket = FakeSocket.last();
  socket.receive({ type: 'error', code: 'bad_request', message: 'cursor must be …', feed: true });
  assert.deepEqual(socket.sent, [{ type: 'subscribeFeed', cursor: 'c.5.garbled' }, { type: 'subscribeFeed' }]);
  assert.equal(c.lastFeedCursor(), null);
  stop();
  assert.deepEqual(socket.sent.at(-1), { type: 'unsubscribeFeed' });

  c.watchFeed((event) => got.push(event));
  socket.receive({ type: 'error', code: 'forbidden', message: 'no subject', feed: true });
  assert.equal(c.lastFeedCursor(), null);
  socket.receive(change('c.1.1', 'v-1'));
  assert.deepEqual(errors, ['bad_request', 'forbidden']);
  assert.equal(got.filter((e) => e.type === 'feed').length, 0);
  c.close();
});
