import { VigilError } from '@vigil/protocol';
import type { SessionStore } from './session-store.js';

/**
 * Which node serves a session tied to one node (a routed session's forwarding unit; every session with
 * `sessionAffinity: 'all'`): `{node, url}` in the session store, valid while that node's lease is. The first joiner's
 * node claims it; a dead holder's claim is taken over with a compare-and-set, so two nodes never both win.
 */
export class MediaHomes {
  readonly #store: SessionStore;
  readonly #nodeId: string;
  /** Runs a command, turning an unreachable Redis into `STORE_UNAVAILABLE`. */
  readonly #run: <T>(command: () => Promise<T>) => Promise<T>;
  /** Whether a node's lease is still running. */
  readonly #alive: (node: string) => Promise<boolean>;
  /** Sessions this node serves. */
  readonly #mine = new Set<string>();

  constructor(deps: { store: SessionStore; nodeId: string; run: <T>(command: () => Promise<T>) => Promise<T>; alive: (node: string) => Promise<boolean> }) {
    this.#store = deps.store;
    this.#nodeId = deps.nodeId;
    this.#run = deps.run;
    this.#alive = deps.alive;
  }

  async homeOf(sessionId: string): Promise<{ node: string; url: string } | undefined> {
    const current = await this.#run(() => this.#store.home(sessionId));
    const home = current === undefined ? undefined : parseHome(current);
    if (!home) {
      return undefined;
    }
    return (await this.#alive(home.node)) ? home : undefined;
  }

  async claimHome(sessionId: string, url: string): Promise<{ node: string; url: string }> {
    const mine = JSON.stringify({ node: this.#nodeId, url });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const current = await this.#run(() => this.#store.home(sessionId));
      const home = current === undefined ? undefined : parseHome(current);
      if (home?.node === this.#nodeId) {
        this.#mine.add(sessionId);
        return home;
      }
      if (home && (await this.#alive(home.node))) {
        return home;
      }
      // Nobody, or a dead node: take it, unless another node got there first (then look again).
      if (await this.#run(() => this.#store.replaceHome(sessionId, current, mine))) {
        this.#mine.add(sessionId);
        return { node: this.#nodeId, url };
      }
    }
    throw new VigilError('STORE_UNAVAILABLE', 'Could not settle which node serves this session; try again.');
  }

  /** The session's last member here left (or the node stops): the next joiner may serve it anywhere. */
  giveUp(sessionId: string): void {
    if (!this.#mine.delete(sessionId)) {
      return;
    }
    this.#store
      .home(sessionId)
      .then((current) => (current !== undefined && parseHome(current)?.node === this.#nodeId ? this.#store.replaceHome(sessionId, current, undefined) : undefined))
      .catch(() => {}); // a stale home is taken over once this node's lease is gone
  }

  /** The node stops: its sessions may be served elsewhere at once. */
  giveUpAll(): void {
    for (const sessionId of [...this.#mine]) {
      this.giveUp(sessionId);
    }
  }
}

function parseHome(text: string): { node: string; url: string } | undefined {
  try {
    const value = JSON.parse(text) as { node?: unknown; url?: unknown };
    return typeof value.node === 'string' && typeof value.url === 'string' ? { node: value.node, url: value.url } : undefined;
  } catch {
    return undefined;
  }
}

