import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSessionId, parseSessionId, type MediaMode } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Where the browser build of the client and the demo page live, found through package resolution. */
export function demoAssets(): { clientBundle: string; demoDir: string } {
  const clientBundle = fileURLToPath(import.meta.resolve('@vigil/client/browser'));
  const demoDir = join(dirname(fileURLToPath(import.meta.resolve('@vigil/demo/package.json'))), 'public');
  return { clientBundle, demoDir };
}

/**
 * The dev-only HTTP surface of `vigil serve`: the demo page, `/vigil-client.js` (the SDK as one ES
 * module) and `/demo/join`, which turns a room name into a session id and a token. `/demo/join` hands
 * out tokens to anyone who can reach it, which is why it exists only with the demo enabled.
 */
export function createDemoHandler(apiKey: string, apiSecret: string, options: { demo: boolean }) {
  const { clientBundle, demoDir } = demoAssets();
  const rooms = new Map<string, string>();
  const files: Record<string, string> = {
    '/vigil-client.js': clientBundle,
    '/vigil-client.js.map': `${clientBundle}.map`,
  };
  if (options.demo) {
    files['/'] = join(demoDir, 'index.html');
    files['/demo.js'] = join(demoDir, 'demo.js');
    files['/demo.css'] = join(demoDir, 'demo.css');
  }
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://vigil.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return false;
    }
    if (options.demo && url.pathname === '/demo/join') {
      const room = (url.searchParams.get('session') ?? '').trim();
      const name = (url.searchParams.get('name') ?? '').trim();
      const mediaMode: MediaMode = url.searchParams.get('mediaMode') === 'routed' ? 'routed' : 'relayed';
      if (!/^[\p{L}\p{N} _.-]{1,64}$/u.test(room) || name.length > 64) {
        writeJson(res, 400, { code: 'REQUEST_INVALID', message: 'session must be 1-64 letters, digits, spaces, "_", "." or "-"; name at most 64 characters' });
        return true;
      }
      let sessionId = rooms.get(room);
      if (!sessionId) {
        sessionId = createSessionId({ apiKey, mediaMode });
        rooms.set(room, sessionId);
      }
      const token = mintClientToken({ apiKey, apiSecret, sessionId, role: 'moderator', data: JSON.stringify({ name: name || 'guest' }) });
      // The room's media mode is the one it was created with; later joins only read it.
      writeJson(res, 200, { apiKey, sessionId, token, room, mediaMode: parseSessionId(sessionId)?.mediaMode ?? mediaMode });
      return true;
    }
    const path = files[url.pathname];
    if (!path) {
      return false;
    }
    const body = await readFile(path);
    const ext = path.slice(path.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': STATIC_TYPES[ext] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
