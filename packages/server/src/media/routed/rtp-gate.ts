import { isVp8KeyFrameStart } from './vp8.js';

/**
 * Decides, packet by packet, what one subscriber receives of one kind, and renumbers what it lets
 * through so the subscriber sees no gap in sequence numbers (a gap would make it ask for every dropped
 * packet again). Video starts, and resumes after being off, only at a key frame.
 */
export class RtpGate {
  readonly #video: boolean;
  #enabled: boolean;
  #waitingForKeyFrame: boolean;
  /** Packets dropped so far, subtracted from every sequence number passed on (mod 2^16). */
  #dropped = 0;

  constructor(kind: 'audio' | 'video', enabled: boolean) {
    this.#video = kind === 'video';
    this.#enabled = enabled;
    this.#waitingForKeyFrame = this.#video;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** True while video is on but held back until the next key frame (the caller asks for one). */
  get waitingForKeyFrame(): boolean {
    return this.#enabled && this.#waitingForKeyFrame;
  }

  setEnabled(enabled: boolean): void {
    if (enabled && !this.#enabled && this.#video) {
      this.#waitingForKeyFrame = true;
    }
    this.#enabled = enabled;
  }

  /**
   * The sequence number to send this packet with, or `undefined` to drop it. `payload` is only read
   * for video that is waiting for a key frame.
   */
  pass(sequenceNumber: number, payload: Uint8Array): number | undefined {
    if (this.#enabled && this.#waitingForKeyFrame && isVp8KeyFrameStart(payload)) {
      this.#waitingForKeyFrame = false;
    }
    if (!this.#enabled || this.#waitingForKeyFrame) {
      this.#dropped = (this.#dropped + 1) & 0xffff;
      return undefined;
    }
    return (sequenceNumber - this.#dropped) & 0xffff;
  }
}
