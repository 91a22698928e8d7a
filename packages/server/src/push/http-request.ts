import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * A keep-alive HTTP/1.1 client for one provider (FCM, the OAuth token endpoint, Web Push services all
 * accept HTTP/1.1). Every request has a deadline; answers are read up to 64 KiB. `close()` drops the
 * pooled sockets.
 */
export class HttpClient {
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  readonly #https: HttpsAgent;
  readonly #timeoutMs: number;

  constructor(options: { timeoutMs: number; ca?: string | undefined }) {
    this.#timeoutMs = options.timeoutMs;
    this.#https = new HttpsAgent(options.ca === undefined ? { keepAlive: true, maxSockets: 32 } : { keepAlive: true, maxSockets: 32, ca: options.ca });
  }

  request(url: string, init: { method: string; headers: Record<string, string | number>; body?: Buffer | string }): Promise<HttpAnswer> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(target, { method: init.method, headers: init.headers, agent: secure ? this.#https : this.#http, timeout: this.#timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) {
            chunks.push(chunk);
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(init.body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** Parses a JSON answer body; `undefined` when it is not JSON. */
export function jsonBody(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
}
