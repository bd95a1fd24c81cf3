// The live page: "my videos" as the caller's feed shows them (every video they may watch, new ones included,
// whoever created them: this form, REST, or a worker's SQL), changed over REST, with every change arriving
// through the video-events client (one socket, one feed, resumed by cursor after any disconnect).
import { connect } from '/js/video-events.js';

const STATUSES = ['pending', 'processing', 'processed', 'failed'];
// A token can be handed over as ?token=…; it is moved to session storage and taken out of the address
// bar at once, so it does not linger in history or get copied along with the link.
const token = takeToken();

function takeToken() {
  const params = new URLSearchParams(location.search);
  const given = params.get('token');
  if (given) {
    sessionStorage.setItem('video-events-token', given);
    params.delete('token');
    history.replaceState(null, '', location.pathname + (params.toString() ? `?${params}` : '') + location.hash);
    return given;
  }
  return sessionStorage.getItem('video-events-token');
}

const rows = new Map(); // videoId -> <tr>, for every video of the feed
let snapshotDone = false;
const table = document.querySelector('#videos tbody');
const log = document.querySelector('#log');
const connection = document.querySelector('#connection');
const connectionText = document.querySelector('#connection-text');

const client = connect(location.origin.replace(/^http/, 'ws') + '/events', {
  token,
  onStateChange: showState,
  onError: (error) => addLog(`error ${error.code}${error.videoId ? ' ' + error.videoId : ''}: ${error.message}`),
});
window.videoEvents = client; // handy in the console, and for tests

function showState(state, detail) {
  connection.dataset.state = state;
  const text = {
    connecting: 'connecting…',
    open: 'live',
    reconnecting: `reconnecting in ${((detail.delayMs ?? 0) / 1000).toFixed(1)} s…`,
    closed: `disconnected${detail.code ? ' (' + detail.code + ')' : ''}`,
  }[state];
  connectionText.textContent = text;
  addLog(`connection ${state}${detail.code ? ' (close ' + detail.code + ')' : ''}`);
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(data?.detail || response.statusText);
  return data;
}

// One row per video of the feed; `atTop` for a video that just arrived (a snapshot lists in id order).
function render(videoId, status, version, atTop) {
  let row = rows.get(videoId);
  if (!row) {
    row = document.createElement('tr');
    row.dataset.videoId = videoId;
    row.innerHTML = `<td class="id"></td><td><span class="badge"></span></td><td class="version"></td><td><div class="actions"></div></td>`;
    row.querySelector('.id').textContent = videoId;
    const actions = row.querySelector('.actions');
    for (const s of STATUSES) {
      const button = document.createElement('button');
      button.textContent = s;
      button.dataset.status = s;
      button.addEventListener('click', () => setStatus(videoId, s));
      actions.append(button);
    }
    if (atTop) table.prepend(row); else table.append(row);
    rows.set(videoId, row);
    document.querySelector('#empty').hidden = true;
  } else if (row.dataset.status === 'deleted') {
    // created again under the same id: a new video, with versions above the deleted one's
    row.classList.remove('deleted');
    row.querySelectorAll('button').forEach((button) => { button.disabled = false; });
    row.dataset.status = status;
  }
  update(row, status, version);
}

function update(row, status, version) {
  const current = Number(row.dataset.version ?? 0);
  if (version < current) return;
  const badge = row.querySelector('.badge');
  badge.textContent = status;
  badge.className = `badge ${status}`;
  row.querySelector('.version').textContent = version;
  row.dataset.version = version;
  row.dataset.status = status;
  row.classList.remove('flash');
  void row.offsetWidth; // restart the highlight
  row.classList.add('flash');
}

function clear() {
  rows.clear();
  table.replaceChildren();
  document.querySelector('#empty').hidden = false;
}

function onFeed(event) {
  switch (event.type) {
    case 'feedSubscribed':
      document.querySelector('#videos-title').textContent = event.scope === 'owner' ? 'My videos' : 'All videos';
      break;
    case 'feedSnapshot':
      if (event.resync || snapshotDone) clear(); // a new snapshot replaces everything shown before
      snapshotDone = event.complete;
      event.videos.forEach((video) => render(video.videoId, video.status, video.version, false));
      document.querySelector('#loading').hidden = event.complete;
      break;
    case 'feed':
      onChange(event);
      break;
    default:
      break; // errors are logged by the client's onError
  }
}

function onChange(event) {
  const id = event.videoId;
  switch (event.change) {
    case 'deleted':
      if (rows.has(id)) showDeleted(rows.get(id));
      addLog(`${id} deleted`);
      break;
    case 'left':
      rows.get(id)?.remove();
      rows.delete(id);
      addLog(`${id} is no longer yours`);
      break;
    default: {
      const isNew = !rows.has(id) || rows.get(id).dataset.status === 'deleted';
      render(id, event.status, event.version, isNew);
      if (event.change === 'status') addLog(`${id} v${event.version}: ${event.previousStatus ?? '—'} → ${event.status}`);
      else if (event.change === 'created') addLog(`${id} created`);
      else if (event.change === 'entered') addLog(`${id} is now yours`);
      else addLog(`${id} now belongs to ${event.ownerId ?? 'nobody'}`);
    }
  }
}

function showDeleted(row) {
  const badge = row.querySelector('.badge');
  badge.textContent = 'deleted';
  badge.className = 'badge deleted';
  row.dataset.status = 'deleted';
  row.classList.add('deleted');
  row.querySelectorAll('button').forEach((button) => { button.disabled = true; });
}

function addLog(text) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  log.prepend(item);
  while (log.children.length > 200) log.lastChild.remove();
}

async function setStatus(id, status) {
  try {
    await api('PUT', `/videos/${encodeURIComponent(id)}/status`, { status });
  } catch (e) {
    addLog(`could not set ${id} to ${status}: ${e.message}`);
  }
}

document.querySelector('#create').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const error = document.querySelector('#form-error');
  error.hidden = true;
  const id = document.querySelector('#new-id').value.trim();
  const rawFilePath = document.querySelector('#new-path').value.trim();
  try {
    // the row comes through the feed, like a video a worker inserts
    await api('POST', '/videos', id ? { id, rawFilePath } : { rawFilePath });
    document.querySelector('#new-id').value = '';
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
});

client.watchFeed(onFeed);

