import type { DisconnectReason } from '@vigil/protocol';
import type { BusFrame } from './bus-frame.js';

/** Frames for a connection on its way from another node; see `HandoffCaptures`. */
export interface Capture {
  readonly sessionId: string;
  readonly request: string;
  /**
   * Set when this node sees its own handoff request come back on the channel: the cut for frames
   * from other nodes (the old holder kept those before it).
   */
  started: boolean;
  /**
   * Set when this node publishes the request: the cut for this node's own frames, which reach the old
   * holder after the request and so are not in what it hands over.
   */
  startedLocal: boolean;
  /**
   * With the node that published each ('' for this node's own). The node that answers drops its own
   * at adoption: those it published before reading the request it delivered itself, and those after
   * come behind its answer.
   */
  readonly frames: { bytes: Buffer; droppable: boolean; node: string }[];
  kicked: DisconnectReason | undefined;
}

/**
 * Connections being handed to this node, by id (`handoff.ts`): the frames for them that the old holder
 * will not deliver — published after it read the handoff request — kept until its answer arrives.
 */
export class HandoffCaptures {
  readonly #captures = new Map<string, Capture>();

  begin(sessionId: string, connectionId: string, request: string): void {
    this.#captures.set(connectionId, { sessionId, request, started: false, startedLocal: false, frames: [], kicked: undefined });
  }

  /** Whether any handoff to this node is under way (checked before building a frame to offer). */
  get active(): boolean {
    return this.#captures.size > 0;
  }

  /** Whether a handoff of this connection to this node is under way. */
  has(connectionId: string): boolean {
    return this.#captures.has(connectionId);
  }

  /** The handoff request is being published now: this node's later frames for the connection are kept. */
  startLocal(connectionId: string, request: string): void {
    const capture = this.#captures.get(connectionId);
    if (capture?.request === request) {
      capture.startedLocal = true;
    }
  }

  /** This node's own request came back on the channel: later frames from other nodes are kept. */
  requestSeen(connectionId: string, request: string): void {
    const capture = this.#captures.get(connectionId);
    if (capture?.request === request) {
      capture.started = true;
    }
  }

  end(connectionId: string, request: string): Capture | undefined {
    const capture = this.#captures.get(connectionId);
    if (capture?.request !== request) {
      return undefined;
    }
    this.#captures.delete(connectionId);
    return capture;
  }

  /** A frame of `sessionId`, from another node or (`local`) this one: kept for the connections it is for. */
  offer(sessionId: string, frame: BusFrame, local: boolean): void {
    if (this.#captures.size === 0) {
      return;
    }
    for (const [id, capture] of this.#captures) {
      if (!(local ? capture.startedLocal : capture.started) || capture.sessionId !== sessionId) {
        continue;
      }
      const node = local ? '' : frame.node;
      if ((frame.kind === 'broadcast' && frame.except !== id) || (frame.kind === 'direct' && frame.to === id)) {
        capture.frames.push({ bytes: Buffer.from(frame.payload), droppable: frame.droppable, node });
      } else if (frame.kind === 'kick' && frame.to === id) {
        capture.kicked = frame.reason;
      }
    }
  }
}
