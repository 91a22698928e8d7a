/**
 * Every Redis key and channel a Vigil node uses. On Redis Cluster a script or transaction may only
 * touch keys of one hash slot: a session's keys share the `{sessionId}` tag, and the deployment's node
 * keys (leases, their session lists, orphans) share the `{nodes}` tag.
 */
export class RedisKeys {
  readonly #prefix: string;

  constructor(prefix = 'vigil:') {
    this.#prefix = prefix;
  }

  /** Hash: connection id → member record (`remote-members.ts`). */
  members(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:members`;
  }

  /** Hash: stream id → stream record (`remote-streams.ts`): the live streams, whichever node publishes them. */
  streams(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:streams`;
  }

  /** Stream: the session's log of shared frames (`session-store.ts`). */
  log(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:log`;
  }

  /** Hash: connection id → id of its join's log entry, where its history starts. */
  joins(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:joins`;
  }

  /** Hash: connection id → reason, for members survivors ended (their node may only have stalled). */
  gone(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:gone`;
  }

  /** Counter stamping the frames survivors announce for dead nodes' members. */
  reapCounter(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:reaped`;
  }

  /** Sorted set: `sessionId connectionId` of members orphaned by a dead node, scored by the end of their grace. */
  get orphans(): string {
    return `${this.#prefix}{nodes}:orphans`;
  }

  /** The node whose forwarding unit serves a routed session: `{"node","url"}` (docs/scale-out.md). */
  home(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:home`;
  }

  /** Pub/sub channel of one session: every frame its members on other nodes must see. */
  channel(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:bus`;
  }

  /** Sorted set: node id scored by its lease's expiry (ms since the epoch). */
  get nodes(): string {
    return `${this.#prefix}{nodes}`;
  }

  /** Set: sessions in which a node holds members, so a survivor knows where to clean up after it. */
  nodeSessions(nodeId: string): string {
    return `${this.#prefix}{nodes}:n:${nodeId}:sessions`;
  }

  /** The session id in a channel name, or undefined for a channel that is not a session's. */
  sessionOfChannel(channel: string): string | undefined {
    const head = `${this.#prefix}s:{`;
    const tail = '}:bus';
    if (!channel.startsWith(head) || !channel.endsWith(tail)) {
      return undefined;
    }
    return channel.slice(head.length, channel.length - tail.length);
  }
}
