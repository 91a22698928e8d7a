/**
 * What a connection has been sent and not yet confirmed, and what is waiting for it while it is away.
 * Frames on a connection are numbered 1, 2, … in the order the client receives them; the client reports
 * how many it has processed (`rx`). After a socket dies, the numbered frames after `rx` are replayed and
 * the waiting ones are numbered and sent behind them, so the count stays contiguous: nothing lost,
 * nothing twice.
 *
 * Entries hold references to buffers shared by a whole fan-out, so the cost is the entry, not a copy.
 * The byte cap bounds a frozen or absent reader: while away, the oldest waiting signals make room for
 * newer frames and are counted as dropped; frames already sent are never dropped (the client may have
 * them, and a gap would break the count).
 */
export interface ReplayEntry {
  seq: number;
  bytes: Buffer;
}

/** A buffer's whole state as JSON-safe data, for handing a connection to another node. */
export interface ReplaySnapshot {
  seq: number;
  sent: { seq: number; frame: string }[];
  waiting: { frame: string; droppable: boolean }[];
  dropped: number;
}

interface WaitingEntry {
  bytes: Buffer;
  droppable: boolean;
}

export class ReplayBuffer {
  readonly #maxBytes: number;
  #sent: ReplayEntry[] = [];
  #head = 0;
  #waiting: WaitingEntry[] = [];
  #bytes = 0;
  #seq = 0;
  #dropped = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Number of the last frame sent. */
  get seq(): number {
    return this.#seq;
  }

  /** Bytes held: sent but unconfirmed, plus waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  get unconfirmed(): number {
    return this.#sent.length - this.#head;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Signals dropped since the last call. */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  wouldOverflow(size: number): boolean {
    return this.#bytes + size > this.#maxBytes;
  }

  /** Records a frame being sent now; returns its number. */
  sent(bytes: Buffer): number {
    this.#seq += 1;
    this.#sent.push({ seq: this.#seq, bytes });
    this.#bytes += bytes.length;
    return this.#seq;
  }

  /**
   * Keeps a frame for a client that is away. When the cap is reached the oldest waiting signals are
   * dropped to make room; a signal that still does not fit is dropped itself. Returns false if dropped.
   */
  wait(bytes: Buffer, droppable: boolean): boolean {
    if (this.wouldOverflow(bytes.length)) {
      this.#waiting = this.#waiting.filter((entry) => {
        if (entry.droppable && this.wouldOverflow(bytes.length)) {
          this.#bytes -= entry.bytes.length;
          this.#dropped += 1;
          return false;
        }
        return true;
      });
    }
    if (droppable && this.wouldOverflow(bytes.length)) {
      this.#dropped += 1;
      return false;
    }
    this.#waiting.push({ bytes, droppable });
    this.#bytes += bytes.length;
    return true;
  }

  /** Forgets frames the client has processed (`rx` ≥ their number). Ignores counts from the future. */
  confirm(rx: number): void {
    if (!Number.isSafeInteger(rx) || rx > this.#seq) {
      return;
    }
    while (this.#head < this.#sent.length && (this.#sent[this.#head] as ReplayEntry).seq <= rx) {
      this.#bytes -= (this.#sent[this.#head] as ReplayEntry).bytes.length;
      this.#head += 1;
    }
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#sent.length) {
      this.#sent = this.#sent.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * For a resume from `rx`: the sent frames after it, then the waiting frames, now numbered. The caller
   * writes them all, in this order, to the new socket.
   */
  takeReplay(rx: number): ReplayEntry[] {
    this.confirm(rx);
    const out = this.#sent.slice(this.#head).filter((entry) => entry.seq > rx);
    for (const entry of this.#waiting) {
      this.#bytes -= entry.bytes.length;
      const seq = this.sent(entry.bytes);
      out.push({ seq, bytes: entry.bytes });
    }
    this.#waiting = [];
    return out;
  }

  /** Everything unconfirmed and waiting, in order (frames are JSON text, so strings carry them). */
  snapshot(): ReplaySnapshot {
    return {
      seq: this.#seq,
      sent: this.#sent.slice(this.#head).map((entry) => ({ seq: entry.seq, frame: entry.bytes.toString() })),
      waiting: this.#waiting.map((entry) => ({ frame: entry.bytes.toString(), droppable: entry.droppable })),
      dropped: this.#dropped,
    };
  }

  /** Takes over another node's buffer for the same connection; this one must be fresh. */
  restore(snapshot: ReplaySnapshot): void {
    this.clear();
    this.#seq = snapshot.seq;
    this.#dropped = snapshot.dropped;
    for (const entry of snapshot.sent) {
      const bytes = Buffer.from(entry.frame);
      this.#sent.push({ seq: entry.seq, bytes });
      this.#bytes += bytes.length;
    }
    for (const entry of snapshot.waiting) {
      const bytes = Buffer.from(entry.frame);
      this.#waiting.push({ bytes, droppable: entry.droppable });
      this.#bytes += bytes.length;
    }
  }

  clear(): void {
    this.#sent = [];
    this.#head = 0;
    this.#waiting = [];
    this.#bytes = 0;
  }
}
