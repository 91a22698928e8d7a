// The Vigil demo: join a session by name, see and hear who is here, exchange signals.
// Everything goes through the public SDK served at /vigil-client.js.
import { initPublisher, initSession } from '/vigil-client.js';

const $ = (id) => document.getElementById(id);
let session;
let publisher;
/** The reason each connection gave for its lifecycle state (from `connectionStateChanged`). */
const stateReasons = new Map();
const SUSPEND_MS = 10_000;

function nameOf(connection) {
  try {
    return JSON.parse(connection.data).name ?? connection.connectionId;
  } catch {
    return connection.data || connection.connectionId;
  }
}

function log(text, kind = 'signal') {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = text;
  $('log').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

/**
 * What this device's lifecycle engine has told everyone: `active`, `background` or `interrupted`, and
 * why. Peers see the same through `connectionStateChanged`.
 */
function ownLifecycle() {
  const engine = session?.lifecycle?.engine.state;
  if (!engine) return { state: 'active', reason: '' };
  const reason = engine.audioInterruption ?? (engine.backgrounded ? 'background' : 'foreground');
  return { state: engine.announced, reason };
}

function lifecycleBadge(state, reason) {
  const badge = document.createElement('span');
  badge.className = 'lc-state';
  badge.dataset.state = state;
  badge.textContent = reason ? `${state} (${reason})` : state;
  return badge;
}

function renderPresence() {
  const list = $('presence');
  list.replaceChildren(
    ...session.connections.map((connection) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'who';
      name.textContent = nameOf(connection);
      item.dataset.connectionId = connection.connectionId;
      const me = connection.connectionId === session.connection?.connectionId;
      const { state, reason } = me ? ownLifecycle() : { state: connection.state, reason: stateReasons.get(connection.connectionId) ?? '' };
      item.dataset.state = state;
      if (me) {
        item.className = 'me';
        name.textContent += ' (you)';
      }
      item.append(name, lifecycleBadge(state, reason));
      return item;
    }),
  );
  const own = ownLifecycle();
  $('self-lifecycle').textContent = own.reason ? `${own.state} (${own.reason})` : own.state;
}

function stateText(hasAudio, hasVideo) {
  const mic = `<span class="${hasAudio ? 'on' : 'off'}">${hasAudio ? 'mic on' : 'mic off'}</span>`;
  const cam = `<span class="${hasVideo ? 'on' : 'off'}">${hasVideo ? 'camera on' : 'camera off'}</span>`;
  return `${mic} · ${cam}`;
}

/** One tile per other participant's stream: their video, name, and audio/video state. */
function addTile(stream) {
  const tile = document.createElement('figure');
  tile.className = 'tile';
  tile.dataset.streamId = stream.streamId;
  const video = document.createElement('div');
  video.className = 'video';
  const caption = document.createElement('figcaption');
  const label = document.createElement('span');
  label.className = 'name';
  label.textContent = stream.name || (stream.connection ? nameOf(stream.connection) : 'guest');
  const state = document.createElement('span');
  state.className = 'state';
  caption.append(label, ' ', state);
  tile.append(video, caption);
  $('videos').append(tile);
  updateTile(stream);
  session.subscribe(stream, video).then(
    (subscriber) => {
      subscriber.on('videoDisabled', ({ reason }) => log(`${label.textContent}: video off (${reason})`, 'system'));
      subscriber.on('videoEnabled', ({ reason }) => log(`${label.textContent}: video on (${reason})`, 'system'));
    },
    (err) => log(`Could not subscribe to ${label.textContent}: ${err.message}`, 'system'),
  );
}

function updateTile(stream, reason) {
  const tile = document.querySelector(`.tile[data-stream-id="${CSS.escape(stream.streamId)}"]`);
  if (!tile) return;
  // Lifecycle reasons (`background`, `interrupted`) say why media stopped without anyone pressing a button.
  const why = reason === 'background' || reason === 'interrupted' ? ` (${reason})` : '';
  tile.querySelector('.state').innerHTML = stateText(stream.hasAudio, stream.hasVideo) + why;
  tile.classList.toggle('video-off', !stream.hasVideo);
  tile.dataset.hasAudio = String(stream.hasAudio);
  tile.dataset.hasVideo = String(stream.hasVideo);
}

function removeTile(stream) {
  document.querySelector(`.tile[data-stream-id="${CSS.escape(stream.streamId)}"]`)?.remove();
}

function renderOwnState() {
  const audio = publisher?.publishingAudio ?? false;
  const video = publisher?.publishingVideo ?? false;
  $('self-state').innerHTML = stateText(audio, video);
  $('toggle-audio').textContent = audio ? 'Mute microphone' : 'Unmute microphone';
  $('toggle-video').textContent = video ? 'Stop camera' : 'Start camera';
  $('self-tile').classList.toggle('video-off', !video);
}

async function startMedia(name) {
  publisher = initPublisher('self-video', { name, resolution: '640x480' });
  publisher.on('accessDenied', ({ error }) => {
    $('error').textContent = `Camera or microphone refused (${error.code}); you can still watch and chat.`;
  });
  publisher.on('mediaStopped', () => log('Your camera or microphone stopped', 'system'));
  publisher.on('videoRestoreFailed', ({ attempt, retryInMs }) =>
    log(`Your camera did not come back (attempt ${attempt}); ${retryInMs === null ? 'gave up' : `retrying in ${retryInMs} ms`}`, 'system'),
  );
  await session.publish(publisher);
  $('toggle-audio').disabled = !publisher.hasAudio;
  $('toggle-video').disabled = !publisher.hasVideo;
  renderOwnState();
}

/** Feeds one input to the SDK's lifecycle engine, as a phone's OS would, and shows the result. */
function lifecycleInput(input) {
  session?.lifecycle?.send(input);
  renderPresence();
  renderOwnState();
}

/**
 * A suspended app runs no JavaScript: no heartbeats, no events. Blocking this page's main thread does
 * the same (media threads go on, as on a phone with an audio session). The server notices the silence
 * and, since `background` was announced first, tells everyone this connection is `suspended`.
 */
async function suspendFor(ms) {
  lifecycleInput({ type: 'appState', state: 'background' });
  lifecycleInput({ type: 'suspend' });
  $('self-lifecycle').textContent = `suspended for ${ms / 1000} s…`;
  // Let the announcement and this repaint go out before the page stops.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Frozen on purpose: bounded by `ms`.
  }
  lifecycleInput({ type: 'resume' });
}

async function join(room, name, mediaMode, withMedia, policy) {
  $('error').textContent = '';
  const query = new URLSearchParams({ session: room, name, mediaMode });
  const response = await fetch(`/demo/join?${query}`);
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.message);
  }
  // The lifecycle engine runs by itself in every session; `policy` picks the phone or desktop rules.
  session = initSession(body.apiKey, body.sessionId, { lifecycle: { policy } });
  session.on('connectionStateChanged', ({ connection, state, reason }) => {
    stateReasons.set(connection.connectionId, reason);
    log(`${nameOf(connection)} is ${state} (${reason})`, 'system');
    renderPresence();
  });
  session.on('backgroundWithoutMedia', () => log('You are in the background with no media: a phone would suspend this app soon', 'system'));
  session.on('connectionCreated', ({ connection }) => {
    log(`${nameOf(connection)} joined`, 'system');
    renderPresence();
  });
  session.on('connectionDestroyed', ({ connection, reason }) => {
    log(`${nameOf(connection)} left (${reason})`, 'system');
    renderPresence();
  });
  session.on('signal:chat', ({ data, from }) => log(`${from ? nameOf(from) : 'server'}: ${data}`));
  session.on('streamCreated', ({ stream }) => addTile(stream));
  session.on('streamDestroyed', ({ stream }) => removeTile(stream));
  session.on('streamPropertyChanged', ({ stream, reason }) => updateTile(stream, reason));
  session.on('sessionDisconnected', ({ reason }) => {
    $('status').textContent = `Disconnected (${reason})`;
    $('presence').replaceChildren();
    document.querySelectorAll('.tile:not(.me)').forEach((tile) => tile.remove());
    publisher?.destroy();
    publisher = undefined;
    $('toggle-audio').disabled = true;
    $('toggle-video').disabled = true;
    $('lifecycle-controls').disabled = true;
  });
  await session.connect(body.token);
  $('status').textContent = `Connected to "${room}" as ${name || 'guest'} (${body.mediaMode ?? mediaMode} media)`;
  const link = `${location.origin}/?session=${encodeURIComponent(room)}`;
  $('share-link').href = link;
  $('share-link').textContent = link;
  $('join-form').hidden = true;
  $('room').hidden = false;
  $('lifecycle-controls').disabled = !session.lifecycle;
  renderPresence();
  if (withMedia) {
    // Joined either way: without a camera you can still watch, listen and chat.
    startMedia(name || 'guest').catch((err) => {
      $('error').textContent = `Could not publish: ${err.message}`;
    });
  }
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  join($('session-name').value.trim(), $('your-name').value.trim(), $('media-mode').value, $('with-media').checked, $('policy').value).catch((err) => {
    $('error').textContent = `Could not join: ${err.message}`;
  });
});

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const data = $('chat-input').value;
  if (!data) return;
  session.signal({ type: 'chat', data }).then(
    () => ($('chat-input').value = ''),
    (err) => ($('error').textContent = `Not sent: ${err.message}`),
  );
});

$('leave').addEventListener('click', () => session?.disconnect());
$('toggle-audio').addEventListener('click', () => {
  publisher?.publishAudio(!publisher.publishingAudio);
  renderOwnState();
});
$('toggle-video').addEventListener('click', () => {
  publisher?.publishVideo(!publisher.publishingVideo);
  renderOwnState();
});
$('lc-background').addEventListener('click', () => lifecycleInput({ type: 'appState', state: 'background' }));
$('lc-return').addEventListener('click', () => lifecycleInput({ type: 'appState', state: 'active' }));
$('lc-call').addEventListener('click', () => lifecycleInput({ type: 'audioInterruptionBegan', reason: 'call' }));
$('lc-call-end').addEventListener('click', () => lifecycleInput({ type: 'audioInterruptionEnded' }));
$('lc-suspend').addEventListener('click', () => {
  suspendFor(SUSPEND_MS).catch((err) => ($('error').textContent = err.message));
});

const params = new URLSearchParams(location.search);
if (params.get('session')) {
  $('session-name').value = params.get('session');
  $('your-name').value = params.get('name') ?? '';
  if (params.get('mediaMode') === 'routed') {
    $('media-mode').value = 'routed';
  }
  if (params.get('media') === 'off') {
    $('with-media').checked = false;
  }
  if (params.get('policy') === 'desktop') {
    $('policy').value = 'desktop';
  }
  if (params.get('name')) {
    join(params.get('session'), params.get('name'), $('media-mode').value, $('with-media').checked, $('policy').value).catch((err) => {
      $('error').textContent = `Could not join: ${err.message}`;
    });
  }
}
