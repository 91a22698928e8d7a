import { createHash } from 'node:crypto';
import { VigilError, parseSessionId, randomId } from '@vigil/protocol';
import { Connection } from '../connection.js';
import { RateLimiter, type RateLimit } from '../rate-limiter.js';
import { secretsEqual } from '../secret-compare.js';
import type { ServerContext } from '../server-context.js';
import type { BusFrame } from './bus-frame.js';
import type { ClusterLink } from './cluster-link.js';
import { isAfter, readStamp } from './frame-stamp.js';

type TakeoverContext = Pick<ServerContext, 'registry' | 'grace' | 'clock' | 'log' | 'push'>;

export interface TakeoverRequest {
  sessionId: string;
  connectionId: string;
  resumeToken: string;
  /** The last stamp the client saw from each origin (`frame-stamp.ts`). */
  seen: ReadonlyMap<string, string>;
  /** Frames the client counted: the numbering goes on from there. */
  rx: number;
}

/**
 * Resume of a connection whose node died (docs/scale-out.md, "When a node dies"). Nothing can be asked
 * of the dead node, so its state comes from Redis: the member's record (role, data, resume token hash,
 * announced state) and the session's log since it joined. The frames it should have got are those for it
 * that come after the last stamp it saw from each origin; what the log says its own signals were tells
 * which of its requests were processed. Frames published while this runs are captured on the session's
 * channel (which the caller holds) and merged, each once.
 */
export async function takeOverFromLog(ctx: TakeoverContext, cluster: ClusterLink, request: TakeoverRequest, deadNode: string, limits: { rateLimit: RateLimit; maxReplayBytes: number }): Promise<Connection> {
  const { registry, log } = ctx;
  const { sessionId, connectionId } = request;
  if (registry.captures.has(connectionId)) {
    throw new VigilError('SERVER_BUSY', 'A resume of this connection is already in progress.');
  }
  const captureId = randomId(16);
  registry.captures.begin(sessionId, connectionId, captureId);
  registry.captures.startLocal(connectionId, captureId);
  registry.captures.requestSeen(connectionId, captureId);
  try {
    const history = await cluster.history(sessionId, connectionId);
    const record = history?.record;
    if (!history || !record?.resume || record.node !== deadNode) {
      throw new VigilError('RESUME_FAILED');
    }
    const { resume } = record;
    if (!secretsEqual(resume.tokenHash, createHash('sha256').update(request.resumeToken).digest('hex'))) {
      throw new VigilError('RESUME_TOKEN_INVALID');
    }
    if (resume.media) {
      // Its peer connections and streams were served by the dead node: the client rejoins and republishes.
      throw new VigilError('RESUME_FAILED');
    }
    const state = resume.announced === 'background' ? 'suspended' : 'reconnecting';
    const info = { ...record.info, state } as const;
    if (!(await cluster.claimMember(sessionId, deadNode, { info, resume }))) {
      throw new VigilError('RESUME_FAILED'); // a survivor ended it (grace over), or another node took it
    }
    const replay = new ReplayPlan(connectionId, request.seen);
    let lastRequestId = 0;
    for (const entry of history.entries) {
      if (entry.sender === connectionId && entry.requestId !== undefined) {
        lastRequestId = Math.max(lastRequestId, entry.requestId);
      }
      replay.offer(entry.frame);
    }
    // From here on, synchronous: nothing for it can slip between the capture and the adoption.
    const capture = registry.captures.end(connectionId, captureId);
    for (const frame of capture?.frames ?? []) {
      replay.offerBytes(frame.bytes, frame.droppable);
    }
    const nowMs = ctx.clock.now();
    const connection = new Connection({
      id: connectionId,
      sessionId,
      role: resume.role,
      data: info.data,
      nowMs,
      socket: undefined,
      limiter: new RateLimiter(limits.rateLimit, nowMs),
      maxReplayBytes: limits.maxReplayBytes,
      resumeToken: request.resumeToken,
      creationTime: info.creationTime,
    });
    connection.lastRequestId = lastRequestId;
    connection.announced = resume.announced;
    connection.initialLayoutClassList = resume.layout;
    connection.state = state;
    connection.replay.restore({ seq: request.rx, sent: [], waiting: replay.frames, dropped: 0 });
    registry.adopt(connection, parseSessionId(sessionId)?.mediaMode ?? 'relayed');
    ctx.push.joined(connection);
    ctx.grace.adopted(connection);
    const kicked = replay.kicked ?? capture?.kicked;
    if (kicked) {
      registry.destroy(connection, kicked);
    }
    cluster.countHandoff('in');
    log.info('takeover: resumed from the log of a dead node', { session: sessionId, connection: connectionId, from: deadNode, frames: replay.frames.length, lastRequestId });
    return connection;
  } catch (err) {
    registry.captures.end(connectionId, captureId);
    throw err;
  }
}

/** The frames a taken-over client still needs, each once, in the order they were published. */
class ReplayPlan {
  readonly frames: { frame: string; droppable: boolean }[] = [];
  kicked: Extract<BusFrame, { kind: 'kick' }>['reason'] | undefined;
  readonly #id: string;
  readonly #seen: ReadonlyMap<string, string>;
  readonly #taken = new Set<string>();

  constructor(connectionId: string, seen: ReadonlyMap<string, string>) {
    this.#id = connectionId;
    this.#seen = seen;
  }

  offer(frame: BusFrame): void {
    if (frame.kind === 'kick' && frame.to === this.#id) {
      this.kicked = frame.reason;
    } else if ((frame.kind === 'broadcast' && frame.except !== this.#id) || (frame.kind === 'direct' && frame.to === this.#id)) {
      this.#take(frame.payload, frame.droppable);
    }
  }

  offerBytes(bytes: Buffer, droppable: boolean): void {
    this.#take(bytes.toString(), droppable);
  }

  #take(payload: string, droppable: boolean): void {
    // Its own presence (the survivors' "reconnecting") is not news to it.
    if (payload.includes('"type":"connectionStateChanged"') && payload.includes(`"connectionId":"${this.#id}"`)) {
      return;
    }
    const stamp = readStamp(payload);
    if (!stamp) {
      return; // not shared through the log (a re-assertion after a Redis outage): nothing to replay
    }
    const key = `${stamp.origin}.${stamp.n}`;
    const last = this.#seen.get(stamp.origin);
    if (this.#taken.has(key) || (last !== undefined && !isAfter(stamp.n, last))) {
      return;
    }
    this.#taken.add(key);
    this.frames.push({ frame: payload, droppable });
  }
}
