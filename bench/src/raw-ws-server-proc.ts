/**
 * Child process: the baseline, a bare `ws` broadcast server (the ws README pattern). Each text message
 * is sent as-is to every socket, sender included (Vigil delivers to the sender too); the received
 * Buffer is reused for all, as Vigil encodes once per broadcast. It answers the same pings as Vigil
 * and greets with a `welcome` so the receivers process drives both servers identically.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { toParent } from './ipc.js';
import { serveUsage } from './server-proc-common.js';

const PING = Buffer.from('{"type":"ping"');
const PONG = Buffer.from('{"type":"pong"}');
const WELCOME = Buffer.from('{"type":"welcome"}');

serveUsage();
const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.terminate());
  socket.on('message', (data: Buffer, isBinary) => {
    if (data.length < 64 && data.subarray(0, PING.length).equals(PING)) {
      socket.send(PONG, { binary: false });
      return;
    }
    for (const member of sockets) {
      if (member.readyState === 1 /* OPEN */) {
        member.send(data, { binary: isBinary });
      }
    }
  });
  socket.send(WELCOME, { binary: false });
});
wss.once('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') {
    throw new Error('expected a TCP address');
  }
  toParent({ kind: 'ready', url: `ws://127.0.0.1:${address.port}/` });
});
process.on('SIGTERM', () => process.exit(0));
