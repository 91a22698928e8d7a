import type { WebSocket } from 'ws';
import type { ConnectionInfo, DisconnectReason, Role, ServerMessage } from '@vigil/protocol';
import { RateLimiter } from './rate-limiter.js';

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

  constructor(init: {
    id: string;
    sessionId: string;
    role: Role;
    data: string;
    nowMs: number;
    socket: WebSocket;
    limiter: RateLimiter;
  }) {
    this.id = init.id;
    this.sessionId = init.sessionId;
    this.role = init.role;
    this.data = init.data;
    this.creationTime = init.nowMs;
    this.lastHeardAt = init.nowMs;
    this.socket = init.socket;
    this.limiter = init.limiter;
  }

  info(): ConnectionInfo {
    return { id: this.id, data: this.data, creationTime: this.creationTime };
  }

  get canModerate(): boolean {
    return this.role === 'moderator';
  }
}

/** Serialises once; fan-out sends the same bytes to every socket. */
export function encodeMessage(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}
