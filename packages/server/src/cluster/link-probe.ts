import type { SessionStore } from './session-store.js';

/**
 * Checks that frames still reach this node: it publishes a numbered probe on a channel of its own and
 * expects it back. A store's client may lose the link it listens on without saying so (an ioredis
 * Cluster client moves its subscription to another server by itself); frames published meanwhile never
 * arrive. A probe unheard for `timeoutMs` after the store took it reports the loss; the next one heard
 * reports the way back, and the node then catches up (`ClusterNode`, resync). A probe heard while an
 * earlier one never was reports a gap (frames lost for less than `timeoutMs`); one shorter than
 * `intervalMs` may lose no probe, and go unnoticed.
 */
export class LinkProbe {
  /** Not a session id (those never start with `~`): the channel only this node listens on. */
  readonly channel: string;
  readonly #store: SessionStore;
  readonly #timeoutMs: number;
  readonly #onLost: () => void;
  readonly #onBack: () => void;
  readonly #onGap: () => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;
  #heard = 0;
  /** The oldest probe the store took that has not come back yet, and when the store took it. */
  #waiting: { seq: number; since: number } | undefined;
  #lost = false;

  constructor(deps: { store: SessionStore; nodeId: string; intervalMs: number; timeoutMs: number; onLost: () => void; onBack: () => void; onGap: () => void }) {
    this.channel = `~probe.${deps.nodeId}`;
    this.#store = deps.store;
    this.#timeoutMs = deps.timeoutMs;
    this.#onLost = deps.onLost;
    this.#onBack = deps.onBack;
    this.#onGap = deps.onGap;
    this.#intervalMs = deps.intervalMs;
  }

  /** Whether probes stopped coming back. */
  get lost(): boolean {
    return this.#lost;
  }

  async start(): Promise<void> {
    await this.#store.subscribe(this.channel);
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** A probe arrived. */
  heard(text: string): void {
    const seq = Number(text);
    if (!Number.isInteger(seq)) {
      return;
    }
    // Probes arrive in the order they were sent: an earlier one still missing never will.
    const gap = this.#waiting !== undefined && this.#waiting.seq < seq;
    this.#heard = Math.max(this.#heard, seq);
    if (this.#waiting && this.#waiting.seq <= this.#heard) {
      this.#waiting = undefined;
    }
    if (this.#lost) {
      this.#lost = false;
      this.#onBack();
    } else if (gap) {
      this.#onGap();
    }
  }

  #tick(): void {
    if (!this.#lost && this.#waiting && Date.now() - this.#waiting.since > this.#timeoutMs) {
      this.#lost = true;
      this.#onLost();
    }
    this.#sent += 1;
    const seq = this.#sent;
    // Counted from when the store took it: a probe that could not be sent is an outage, reported elsewhere.
    this.#store.publish(this.channel, String(seq)).then(
      () => {
        if (seq > this.#heard && !this.#waiting) {
          this.#waiting = { seq, since: Date.now() };
        }
      },
      () => {},
    );
  }
}
