// Handler parameters are `any` on purpose: each implementation (DOM, `ws`, React Native) declares its own
// event classes, and a precise type here would reject all but one of them.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** The part of the standard `WebSocket` the SDK uses; browsers, Node 22+ and the `ws` package fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The global `WebSocket` when the platform has one, else the constructor given in the options. */
export function resolveWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  if (given) {
    return given;
  }
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!global) {
    throw new TypeError(
      'No global WebSocket here (Node 20 without --experimental-websocket). Pass one: ' +
        "initSession(key, id, { url, WebSocket: (await import('ws')).WebSocket })",
    );
  }
  return global;
}
