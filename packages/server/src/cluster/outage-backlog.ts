import type { Logger } from '../logger.js';
import type { SessionStore } from './session-store.js';

/** Frames kept while the store is unreachable; beyond, survivors' reapers are the backstop. */
const MAX_KEPT = 100_000;

/**
 * What a node must get to the other nodes even if the store is away when it happens: a departure, the
 * end of a stream, a relay request. Sent at once; if that fails, kept (bounded) and sent, in order, by
 * `flush` when the store is back. `late` tells the sender it is being sent after this node's later
 * frames (it re-stamps them to stay in order).
 */
export class OutageBacklog {
  /** Each with the other nodes that served its session when it happened: they must hear it. */
  readonly #kept: { sessionId: string; peers: number; send: () => Promise<unknown> }[] = [];
  #flushing: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #store: SessionStore;
  readonly #log: Logger;
  /** How many other nodes serve a session now (as far as this node knows). */
  readonly #peers: (sessionId: string) => number;
  /** Whether this node listens on the session's channel itself. */
  readonly #listening: (sessionId: string) => boolean;

  constructor(deps: { store: SessionStore; log: Logger; peers: (sessionId: string) => number; listening: (sessionId: string) => boolean }) {
    this.#store = deps.store;
    this.#log = deps.log;
    this.#peers = deps.peers;
    this.#listening = deps.listening;
  }

  send(sessionId: string, send: (late: boolean) => Promise<unknown>, what: string, details: Record<string, unknown>): void {
    const peers = this.#peers(sessionId); // now: the caller may stop serving the session right after
    send(false).catch((err: Error) => {
      this.#log.warn(`cluster: ${what} not published yet`, { ...details, error: err.message });
      if (this.#kept.length < MAX_KEPT) {
        this.#kept.push({ sessionId, peers, send: () => send(true) });
      }
      this.#retryLater();
    });
  }

  /**
   * Sends what was kept, oldest first; throws on failure, keeping the rest for the next attempt. One
   * flush at a time (a resync's and a retry's would send the same frames twice).
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops retrying (the node stops). */
  stop(): void {
    clearTimeout(this.#retry);
  }

  async #flush(): Promise<void> {
    await this.#peersListening();
    while (this.#kept.length > 0) {
      await this.#kept[0]?.send();
      this.#kept.shift();
    }
  }

  /** A store that fails only for some keys (a Redis Cluster slot) is never "back": retry on a timer too. */
  #retryLater(): void {
    if (this.#retry === undefined) {
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        if (this.#kept.length > 0) {
          this.flush().catch(() => this.#retryLater());
        }
      }, 1_000);
      this.#retry.unref();
    }
  }

  /**
   * Waits (3 s at most) until the nodes known to serve each session listen on its channel again: what
   * was kept is only published, and a node that subscribes later would never see it.
   */
  async #peersListening(): Promise<void> {
    const peers = new Map<string, number>();
    for (const kept of this.#kept) {
      peers.set(kept.sessionId, Math.max(kept.peers, peers.get(kept.sessionId) ?? 0));
    }
    const deadline = Date.now() + 3_000;
    for (const [sessionId, others] of peers) {
      const listeners = others + (this.#listening(sessionId) ? 1 : 0);
      while (Date.now() < deadline && (await this.#store.subscribers(sessionId)) < listeners) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}
