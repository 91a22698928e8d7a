import type { ConnectionInfo, ConnectionState } from '@vigil/protocol';

/** A member of the session, as OpenTok's `Connection`: an id, the token's data and when it joined. */
export class Connection {
  readonly connectionId: string;
  readonly data: string;
  readonly creationTime: number;
  /** What it is doing now (`active`, `background`, `interrupted`, `reconnecting`, `suspended`). */
  state: ConnectionState;

  constructor(info: ConnectionInfo) {
    this.connectionId = info.id;
    this.data = info.data;
    this.creationTime = info.creationTime;
    this.state = info.state ?? 'active';
  }

  /** Same as `connectionId`. */
  get id(): string {
    return this.connectionId;
  }
}
