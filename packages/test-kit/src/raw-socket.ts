import { WebSocket } from 'ws';

/**
 * A bare WebSocket to a Vigil server that records every message, for tests that send what no SDK would
 * (bad JSON, binary frames, floods).
 */
export interface RawSocket {
  socket: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  send(data: string | Buffer, binary?: boolean): void;
  /** Resolves with the first recorded message (from index `from`) that matches. */
  waitFor(match: (message: Record<string, unknown>) => boolean, timeoutMs?: number, from?: number): Promise<Record<string, unknown>>;
}

export function openRawSocket(baseUrl: string, sessionId: string, token: string): Promise<RawSocket> {
  return openRawSocketWith(baseUrl, { sessionId, token });
}

/** Like `openRawSocket` with any query, e.g. a resume: `{ sessionId, resume, resumeToken, rx }`. */
export async function openRawSocketWith(baseUrl: string, params: Record<string, string>): Promise<RawSocket> {
  const query = new URLSearchParams({ protocol: '1', ...params });
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws?${query.toString()}`);
  const messages: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data, isBinary) => {
    if (!isBinary) {
      messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const wake of [...waiters]) {
        wake();
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    closed,
    send: (data, binary = false) => socket.send(data, { binary }),
    waitFor(match, timeoutMs = 5_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.slice(from).find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`RawSocket.waitFor: no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) {
          waiters.add(check);
        }
      });
    },
  };
}
