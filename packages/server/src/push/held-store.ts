/** A server message kept for an identity that has no connection in the session. */
export interface HeldMessage {
  /** The encoded server message (a `signal`, `invite` or `inviteCancelled` frame). */
  text: string;
  /** Milliseconds since the epoch; an expired message is never delivered. */
  expiresAt: number;
  /** Holding a message with the key of one already held replaces it in place (an invite by its cancellation). */
  key?: string;
}

/**
 * Messages waiting for an identity to (re)join a session: a signal or invite sent while it had no
 * connection there. Async so a shared store can stand in; bounded by age and bytes.
 */
export interface HeldMessageStore {
  hold(sessionId: string, identity: string, message: HeldMessage): Promise<void>;
  /** Removes and returns what is held, oldest first, and how many messages the caps dropped. */
  take(sessionId: string, identity: string): Promise<{ messages: HeldMessage[]; dropped: number }>;
}

export interface HeldLimits {
  /** Bytes held per identity and session; past it the oldest messages are dropped (and counted). Default 64 KiB. */
  maxBytesPerIdentity?: number;
  /** Bytes held in all; past it whole identities are forgotten, oldest first. Default 16 MiB. */
  maxTotalBytes?: number;
}

/** Identities with something held (or a drop count) at once; past it the oldest are forgotten. */
const MAX_BOXES = 100_000;

interface Box {
  messages: HeldMessage[];
  bytes: number;
  dropped: number;
}

/** The default store: one process, bounded by bytes per identity and in total, and by each message's expiry. */
export class MemoryHeldMessageStore implements HeldMessageStore {
  readonly #boxes = new Map<string, Box>();
  /** Drop counts of identities forgotten under the total cap. */
  readonly #evicted = new Map<string, number>();
  readonly #now: () => number;
  readonly #maxBytes: number;
  readonly #maxTotal: number;
  #total = 0;

  constructor(now: () => number, limits: HeldLimits = {}) {
    this.#now = now;
    this.#maxBytes = limits.maxBytesPerIdentity ?? 64 * 1024;
    this.#maxTotal = limits.maxTotalBytes ?? 16 * 1024 * 1024;
  }

  async hold(sessionId: string, identity: string, message: HeldMessage): Promise<void> {
    const boxKey = `${sessionId}\0${identity}`;
    const box = this.#boxes.get(boxKey) ?? { messages: [], bytes: 0, dropped: 0 };
    this.#boxes.delete(boxKey);
    this.#boxes.set(boxKey, box); // most recently used last, so the oldest go first
    this.#purge(box);
    const size = Buffer.byteLength(message.text);
    const same = message.key === undefined ? -1 : box.messages.findIndex((m) => m.key === message.key);
    if (same >= 0) {
      this.#resize(box, size - Buffer.byteLength((box.messages[same] as HeldMessage).text));
      box.messages[same] = { ...message };
    } else {
      box.messages.push({ ...message });
      this.#resize(box, size);
    }
    while (box.bytes > this.#maxBytes && box.messages.length > 0) {
      const dropped = box.messages.shift() as HeldMessage;
      this.#resize(box, -Buffer.byteLength(dropped.text));
      box.dropped += 1;
    }
    while ((this.#total > this.#maxTotal || this.#boxes.size > MAX_BOXES) && this.#boxes.size > 0) {
      const [oldestKey, oldest] = this.#boxes.entries().next().value as [string, Box];
      this.#resize(oldest, -oldest.bytes);
      this.#boxes.delete(oldestKey);
      // Only the count survives, so the identity still learns that messages were lost.
      this.#evicted.set(oldestKey, (this.#evicted.get(oldestKey) ?? 0) + oldest.messages.length + oldest.dropped);
      if (this.#evicted.size > MAX_BOXES) {
        this.#evicted.delete(this.#evicted.keys().next().value as string);
      }
    }
  }

  async take(sessionId: string, identity: string): Promise<{ messages: HeldMessage[]; dropped: number }> {
    const boxKey = `${sessionId}\0${identity}`;
    const evicted = this.#evicted.get(boxKey) ?? 0;
    this.#evicted.delete(boxKey);
    const box = this.#boxes.get(boxKey);
    if (!box) {
      return { messages: [], dropped: evicted };
    }
    this.#boxes.delete(boxKey);
    this.#purge(box);
    this.#total -= box.bytes;
    return { messages: box.messages, dropped: box.dropped + evicted };
  }

  /** Bytes held in all (for tests and metrics). */
  get bytes(): number {
    return this.#total;
  }

  #purge(box: Box): void {
    const now = this.#now();
    box.messages = box.messages.filter((message) => {
      if (message.expiresAt > now) {
        return true;
      }
      this.#resize(box, -Buffer.byteLength(message.text));
      return false;
    });
  }

  #resize(box: Box, delta: number): void {
    box.bytes += delta;
    this.#total += delta;
  }
}
