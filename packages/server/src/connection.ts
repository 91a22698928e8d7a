import { createHash } from 'node:crypto';
import type { WebSocket } from 'ws';
import { randomId, type AnnouncedState, type ConnectionInfo, type ConnectionState, type DisconnectReason, type Role, type ServerMessage } from '@vigil/protocol';
import type { ResumeRecord } from './cluster/remote-members.js';
import { RateLimiter } from './rate-limiter.js';
import { ReplayBuffer } from './replay-buffer.js';

/**
 * One member of a session. Its id belongs to the membership, not to a socket, so a later resume can
 * attach a new socket to the same connection.
 */
export class Connection {
  readonly id: string;
  readonly sessionId: string;
  readonly role: Role;
  readonly data: string;
  readonly creationTime: number;
  readonly limiter: RateLimiter;
  socket: WebSocket | undefined;
  /** Clock time of the last message heard from the client. */
  lastHeardAt: number;
  /** Set once, when the connection is destroyed. */
  destroyedReason: DisconnectReason | undefined;
  livenessTimer: unknown;
  /** What peers see; see `ConnectionStates`. */
  state: ConnectionState = 'active';
  /** What the client last announced about itself; decides between `reconnecting` and `suspended`. */
  announced: AnnouncedState = 'active';
  /** Secret a new socket presents to take over this connection. */
  readonly resumeToken: string;
  /** Every frame sent, kept until the client confirms it. */
  readonly replay: ReplayBuffer;
  /** The token's `initial_layout_class_list`: the classes this connection's streams start with. */
  initialLayoutClassList: readonly string[] = [];
  /** Highest request id processed; a re-sent request at or below it is a duplicate. */
  lastRequestId = 0;
  /** Runs out the grace period while the client is away. */
  graceTimer: unknown;
  /** It has published or subscribed: in a deployment, its client rejoins rather than resumes if its node dies. */
  media = false;
  #tokenHash: string | undefined;

  constructor(init: {
    id: string;
    sessionId: string;
    role: Role;
    data: string;
    nowMs: number;
    /** When it joined, if earlier than now (a connection moving from another node). */
    creationTime?: number;
    socket: WebSocket | undefined;
    limiter: RateLimiter;
    maxReplayBytes: number;
    /** Kept when the connection moves from another node (`cluster/handoff.ts`); new otherwise. */
    resumeToken?: string;
  }) {
    this.id = init.id;
    this.sessionId = init.sessionId;
    this.role = init.role;
    this.data = init.data;
    this.creationTime = init.creationTime ?? init.nowMs;
    this.lastHeardAt = init.nowMs;
    this.socket = init.socket;
    this.limiter = init.limiter;
    this.replay = new ReplayBuffer(init.maxReplayBytes);
    this.resumeToken = init.resumeToken ?? randomId(32);
  }

  info(): ConnectionInfo {
    return { id: this.id, data: this.data, creationTime: this.creationTime, state: this.state };
  }

  /** What another node needs to take it over if this one dies (docs/scale-out.md). */
  resumeRecord(): ResumeRecord {
    this.#tokenHash ??= createHash('sha256').update(this.resumeToken).digest('hex');
    return { role: this.role, tokenHash: this.#tokenHash, announced: this.announced, layout: [...this.initialLayoutClassList], media: this.media };
  }

  /** True while the client has no working socket (reconnecting or suspended). */
  get away(): boolean {
    return this.state === 'reconnecting' || this.state === 'suspended';
  }

  get canModerate(): boolean {
    return this.role === 'moderator';
  }
}

/** Serialises once; fan-out sends the same bytes to every socket. */
export function encodeMessage(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}
