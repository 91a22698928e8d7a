/**
 * Every frame sent to one connection, kept until the client confirms it (`rx`, the count of frames it
 * has processed). When a socket dies with frames in flight, or while the client is away, the frames
 * after the client's count are replayed on resume: nothing lost, nothing twice.
 *
 * Frames are numbered per connection (1, 2, …). Entries hold references to buffers shared by a whole
 * fan-out, so the memory cost is the entry, not a copy. The byte cap bounds a frozen or absent reader.
 */
export interface ReplayEntry {
  seq: number;
  bytes: Buffer;
  /** Signals may be dropped when the cap is hit while away; presence and replies never are. */
  droppable: boolean;
}

export class ReplayBuffer {
  readonly #maxBytes: number;
  #entries: ReplayEntry[] = [];
  #head = 0;
  #bytes = 0;
  #seq = 0;
  #dropped = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Number of the last frame queued. */
  get seq(): number {
    return this.#seq;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get length(): number {
    return this.#entries.length - this.#head;
  }

  /** Signals dropped since the last `takeDropped()`. */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  /** True when one more frame of `size` bytes would exceed the cap. */
  wouldOverflow(size: number): boolean {
    return this.#bytes + size > this.#maxBytes;
  }

  push(bytes: Buffer, droppable: boolean): number {
    this.#seq += 1;
    this.#entries.push({ seq: this.#seq, bytes, droppable });
    this.#bytes += bytes.length;
    return this.#seq;
  }

  /**
   * Makes room for `size` bytes by dropping the oldest droppable frames (signals to a client that is
   * away). Returns false when even that is not enough.
   */
  makeRoom(size: number): boolean {
    if (!this.wouldOverflow(size)) {
      return true;
    }
    const kept: ReplayEntry[] = [];
    for (let i = this.#head; i < this.#entries.length; i += 1) {
      const entry = this.#entries[i] as ReplayEntry;
      if (entry.droppable && this.wouldOverflow(size)) {
        this.#bytes -= entry.bytes.length;
        this.#dropped += 1;
      } else {
        kept.push(entry);
      }
    }
    this.#entries = kept;
    this.#head = 0;
    return !this.wouldOverflow(size);
  }

  /** Forgets frames the client has confirmed (`rx` ≥ their number). Ignores counts from the future. */
  ack(rx: number): void {
    if (!Number.isSafeInteger(rx) || rx > this.#seq) {
      return;
    }
    while (this.#head < this.#entries.length && (this.#entries[this.#head] as ReplayEntry).seq <= rx) {
      this.#bytes -= (this.#entries[this.#head] as ReplayEntry).bytes.length;
      this.#head += 1;
    }
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Frames after `rx`, oldest first. */
  after(rx: number): ReplayEntry[] {
    const out: ReplayEntry[] = [];
    for (let i = this.#head; i < this.#entries.length; i += 1) {
      const entry = this.#entries[i] as ReplayEntry;
      if (entry.seq > rx) {
        out.push(entry);
      }
    }
    return out;
  }

  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
