// The Vigil demo: join a session by name, see who is here, exchange signals.
// Everything goes through the public SDK served at /vigil-client.js.
import { initSession } from '/vigil-client.js';

const $ = (id) => document.getElementById(id);
let session;

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

function renderPresence() {
  const list = $('presence');
  list.replaceChildren(
    ...session.connections.map((connection) => {
      const item = document.createElement('li');
      item.textContent = nameOf(connection);
      item.dataset.connectionId = connection.connectionId;
      if (connection.connectionId === session.connection?.connectionId) {
        item.className = 'me';
        item.textContent += ' (you)';
      }
      return item;
    }),
  );
}

async function join(room, name) {
  $('error').textContent = '';
  const query = new URLSearchParams({ session: room, name });
  const response = await fetch(`/demo/join?${query}`);
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.message);
  }
  session = initSession(body.apiKey, body.sessionId);
  session.on('connectionCreated', ({ connection }) => {
    log(`${nameOf(connection)} joined`, 'system');
    renderPresence();
  });
  session.on('connectionDestroyed', ({ connection, reason }) => {
    log(`${nameOf(connection)} left (${reason})`, 'system');
    renderPresence();
  });
  session.on('signal:chat', ({ data, from }) => log(`${from ? nameOf(from) : 'server'}: ${data}`));
  session.on('sessionDisconnected', ({ reason }) => {
    $('status').textContent = `Disconnected (${reason})`;
    $('presence').replaceChildren();
  });
  await session.connect(body.token);
  $('status').textContent = `Connected to "${room}" as ${name || 'guest'}`;
  const link = `${location.origin}/?session=${encodeURIComponent(room)}`;
  $('share-link').href = link;
  $('share-link').textContent = link;
  $('join-form').hidden = true;
  $('room').hidden = false;
  renderPresence();
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  join($('session-name').value.trim(), $('your-name').value.trim()).catch((err) => {
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

const params = new URLSearchParams(location.search);
if (params.get('session')) {
  $('session-name').value = params.get('session');
  $('your-name').value = params.get('name') ?? '';
  if (params.get('name')) {
    join(params.get('session'), params.get('name')).catch((err) => {
      $('error').textContent = `Could not join: ${err.message}`;
    });
  }
}
