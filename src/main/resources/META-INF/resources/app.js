// The live page: lists videos over REST, changes them over REST, and shows every change arrive
// through the video-events client (one socket for all rows).
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

const rows = new Map(); // videoId -> <tr>
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

function render(video) {
  let row = rows.get(video.id);
  if (!row) {
    row = document.createElement('tr');
    row.dataset.videoId = video.id;
    row.innerHTML = `<td class="id"></td><td><span class="badge"></span></td><td class="version"></td><td><div class="actions"></div></td>`;
    row.querySelector('.id').textContent = video.id;
    const actions = row.querySelector('.actions');
    for (const status of STATUSES) {
      const button = document.createElement('button');
      button.textContent = status;
      button.dataset.status = status;
      button.addEventListener('click', () => setStatus(video.id, status));
      actions.append(button);
    }
    table.prepend(row);
    rows.set(video.id, row);
    document.querySelector('#empty').hidden = true;
    client.watch(video.id, (event) => onEvent(video.id, event));
  } else if (row.dataset.status === 'deleted') {
    // created again under the same id: a new video, with versions above the deleted one's
    row.classList.remove('deleted');
    row.querySelectorAll('button').forEach((button) => { button.disabled = false; });
    row.dataset.status = video.status;
    client.watch(video.id, (event) => onEvent(video.id, event));
  }
  update(row, video.status, video.version);
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

function onEvent(videoId, event) {
  const row = rows.get(videoId);
  if (!row || event.type === 'error') return;
  if (event.type === 'deleted') {
    showDeleted(row);
    addLog(`${videoId} deleted`);
    return;
  }
  update(row, event.status, event.version);
  if (event.type === 'status') {
    addLog(`${videoId} v${event.version}: ${event.previousStatus ?? '—'} → ${event.status}`);
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
    const video = await api('POST', '/videos', id ? { id, rawFilePath } : { rawFilePath });
    render(video);
    document.querySelector('#new-id').value = '';
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
});

async function load() {
  try {
    const page = await api('GET', '/videos?limit=100');
    page.items.reverse().forEach(render);
  } catch (e) {
    addLog(`could not list videos: ${e.message}`);
  }
}

load();
