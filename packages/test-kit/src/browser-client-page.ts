import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';

const PAGE = '<!doctype html><meta charset="utf-8"><title>vigil test page</title><body></body>';

/**
 * An `httpHandler` for test servers: `/vigil-client.js` (the SDK's browser build) and `/test-page`
 * (a blank page on the server's origin that scripts can import the SDK into).
 */
export function browserClientHandler(): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const bundle = fileURLToPath(import.meta.resolve('@vigil/client/browser'));
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/vigil-client.js') {
      const body = await readFile(bundle);
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(body);
      return true;
    }
    if (path === '/test-page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return true;
    }
    return false;
  };
}
