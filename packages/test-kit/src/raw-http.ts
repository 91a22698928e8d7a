import { request } from 'node:http';

export interface RawHttpResponse {
  status: number;
  /** The full `content-type` header, or `undefined` when absent. */
  contentType: string | undefined;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
}

export interface RawHttpRequest {
  method: string;
  /** Sent exactly as given: no normalisation of `//`, `..` or escapes (fetch and URL would). */
  path: string;
  headers?: Record<string, string | number | string[]>;
  body?: string | Buffer;
  timeoutMs?: number;
}

/**
 * One HTTP request with the path sent verbatim, for tests of what no SDK sends (traversal attempts,
 * doubled slashes, odd content types). Resolves with any status; rejects only on a network failure
 * or after `timeoutMs` (default 10 s), naming the request.
 */
export function rawHttp(baseUrl: string, options: RawHttpRequest): Promise<RawHttpResponse> {
  const { hostname, port } = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    // Node sends a GET/DELETE/OPTIONS body without framing unless told its length; the server would
    // then read the body as a second, garbage request.
    if (options.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    const req = request({ host: hostname, port, method: options.method, path: options.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text, json });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`rawHttp ${options.method} ${options.path.slice(0, 80)}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(options.body);
  });
}
