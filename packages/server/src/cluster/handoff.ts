import { CloseCodes, VigilError, isConnectionState, parseSessionId, randomId, type AnnouncedState, type ConnectionState, type Role } from '@vigil/protocol';
import { Connection, encodeMessage } from '../connection.js';
import { RateLimiter, type RateLimit } from '../rate-limiter.js';
import type { ReplaySnapshot } from '../replay-buffer.js';
import { secretsEqual } from '../secret-compare.js';
import type { ServerContext } from '../server-context.js';
import type { BusFrame } from './bus-frame.js';
import type { ClusterLink } from './cluster-link.js';
import { takeOverFromLog } from './takeover.js';

/**
 * Resume on another node (docs/scale-out.md). A client whose socket dropped may come back through the
 * load balancer to any node. That node (B) asks the holder (A) for the connection with a `handoff`
 * frame on the session's channel; A stops serving it and answers with its state — ids, last request,
 * announced state and the replay buffer — and B adopts it, so the client keeps its connection id and
 * gets every frame once. Because request and answer travel on the session's channel, they split its
 * frames cleanly: A kept those before the request, B captures those after it.
 */
export interface HandedState {
  id: string;
  sessionId: string;
  role: Role;
  data: string;
  creationTime: number;
  resumeToken: string;
  lastRequestId: number;
  announced: AnnouncedState;
  state: ConnectionState;
  initialLayoutClassList: readonly string[];
  replay: ReplaySnapshot;
}

/** How long B waits for A; past it the client is told `RESUME_FAILED` and rejoins. */
const ANSWER_TIMEOUT_MS = 3_000;
/** How long a late answer is still adopted (the connection must not vanish between two nodes). */
const LATE_ANSWER_MS = 60_000;
/** How long a refusal is remembered for `connect-check` (browsers cannot read an upgrade's status). */
const REFUSAL_MEMORY_MS = 30_000;

type HandoffContext = Pick<ServerContext, 'registry' | 'liveness' | 'grace' | 'clock' | 'log' | 'timeline' | 'streams' | 'push'>;
type Limits = { rateLimit: RateLimit; maxReplayBytes: number };

/**
 * One handoff this node asked for. It owns a hold on the session (so the channel stays subscribed for
 * a late answer) until the connection is adopted — the hold passes to it — or the waiter is dropped.
 */
interface Waiter {
  sessionId: string;
  connectionId: string;
  /** The node asked. */
  holder: string;
  limits: Limits;
  /** Present while `takeOver` still waits; a late answer is adopted without it. */
  settle?: (result: Connection | { code: string }) => void;
}

export class Handoff {
  readonly #ctx: HandoffContext;
  readonly #cluster: ClusterLink;
  readonly #waiters = new Map<string, Waiter>();
  readonly #refusals = new Map<string, { code: string; at: number }>();

  constructor(ctx: HandoffContext, cluster: ClusterLink) {
    this.#ctx = ctx;
    this.#cluster = cluster;
    ctx.registry.onHandoffRequest = (connection, frame) => this.#handOver(connection, frame);
    ctx.registry.onHandoffAnswer = (_sessionId, frame) => this.#answered(frame);
    ctx.registry.onHandoffUnheld = (sessionId, frame) => {
      // A record naming this node for a connection it does not hold (left over after a failed write):
      // saying so lets the asker's client rejoin at once instead of retrying until it gives up.
      void cluster.publishTo(sessionId, { kind: 'refused', node: cluster.nodeId, to: frame.to, request: frame.request, payload: 'RESUME_FAILED' }).catch(() => {});
    };
    cluster.onTakenOver = (sessionId, connectionId, node) => {
      const connection = ctx.registry.get(sessionId)?.connections.get(connectionId);
      if (connection && !connection.destroyedReason) {
        ctx.log.warn('cluster: a member was taken over by another node while this one was taken for dead', { session: sessionId, connection: connectionId, by: node });
        this.#retire(connection, node, 'taken over elsewhere');
      }
    };
    cluster.onGone = (sessionId, connectionId, reason) => {
      const connection = ctx.registry.get(sessionId)?.connections.get(connectionId);
      if (connection && !connection.destroyedReason) {
        ctx.log.warn('cluster: a member was ended by the survivors while this node was taken for dead', { session: sessionId, connection: connectionId, reason });
        ctx.registry.destroy(connection, reason); // its peers on this node learn it now
      }
    };
    ctx.registry.onReleaseRequest = (connection, token) => {
      // A client that rejoined elsewhere names its old connection: same proof as a resume.
      if (secretsEqual(connection.resumeToken, token)) {
        ctx.registry.destroy(connection, 'networkDisconnected');
      }
    };
  }

  /** A handoff of `connectionId` refused in the last 30 s, for `connect-check`. */
  recentRefusal(connectionId: string): string | undefined {
    const refusal = this.#refusals.get(connectionId);
    return refusal && this.#ctx.clock.now() - refusal.at < REFUSAL_MEMORY_MS ? refusal.code : undefined;
  }

  /**
   * B's side: takes the connection over from whichever node holds it. Resolves with the adopted
   * connection (away, its grace running, until the caller attaches the new socket). Throws
   * `RESUME_FAILED` / `RESUME_TOKEN_INVALID` like a local resume would.
   */
  async takeOver(request: { sessionId: string; connectionId: string; resumeToken: string; rx: number; seen?: ReadonlyMap<string, string> | undefined }, limits: Limits): Promise<Connection> {
    const { registry, log } = this.#ctx;
    const { sessionId, connectionId } = request;
    if (registry.captures.has(connectionId)) {
      // One handoff at a time per connection; the client's next attempt finds it adopted here — or,
      // if the node asked has died meanwhile, takes it over from the log.
      const stale = [...this.#waiters].find(([, w]) => w.connectionId === connectionId && !w.settle);
      if (!stale || (await this.#cluster.nodeAlive(stale[1].holder))) {
        throw new VigilError('SERVER_BUSY', 'A resume of this connection is already in progress.');
      }
      this.#drop(stale[0]);
    }
    await this.#cluster.hold(sessionId);
    let id: string | undefined;
    try {
      const record = (await this.#cluster.loadMembers(sessionId)).get(connectionId);
      if (!record || record.node === this.#cluster.nodeId || registry.captures.has(connectionId)) {
        throw new VigilError('RESUME_FAILED');
      }
      if (record.orphan || !(await this.#cluster.nodeAlive(record.node))) {
        if (!request.seen) {
          throw new VigilError('RESUME_FAILED'); // a client that keeps no stamps cannot be replayed to exactly once
        }
        return await takeOverFromLog(this.#ctx, this.#cluster, { sessionId, connectionId, resumeToken: request.resumeToken, seen: request.seen, rx: request.rx }, record.node, limits);
      }
      if (registry.captures.has(connectionId)) {
        throw new VigilError('SERVER_BUSY', 'A resume of this connection is already in progress.'); // began while we awaited
      }
      const request_ = randomId(16);
      registry.captures.begin(sessionId, connectionId, request_);
      const answer = new Promise<Connection | { code: string }>((resolve) => {
        const waiter: Waiter = { sessionId, connectionId, holder: record.node, limits, settle: resolve };
        this.#waiters.set(request_, waiter);
        const timer = setTimeout(() => {
          // Too slow: the client tries again (by then the node may be known dead, see above), and an
          // answer that still comes is adopted, not lost.
          delete waiter.settle;
          resolve({ code: 'SERVER_BUSY' });
          setTimeout(() => this.#drop(request_), LATE_ANSWER_MS).unref();
        }, ANSWER_TIMEOUT_MS);
        timer.unref();
      });
      id = request_;
      registry.captures.startLocal(connectionId, id);
      try {
        await this.#cluster.publishTo(sessionId, { kind: 'handoff', node: this.#cluster.nodeId, to: connectionId, request: id, payload: request.resumeToken });
      } catch (err) {
        this.#drop(id);
        throw err;
      }
      const result = await answer;
      if (!(result instanceof Connection)) {
        log.info('handoff: refused', { session: sessionId, connection: connectionId, code: result.code });
        throw new VigilError(result.code === 'RESUME_TOKEN_INVALID' || result.code === 'SERVER_BUSY' ? result.code : 'RESUME_FAILED');
      }
      return result;
    } catch (err) {
      if (id === undefined) {
        this.#cluster.release(sessionId); // no waiter took the hold over
      }
      throw err;
    }
  }

  /** A's side: verifies the request, stops serving the connection and sends its state. */
  #handOver(connection: Connection, frame: Extract<BusFrame, { kind: 'handoff' }>): void {
    const { registry, log } = this.#ctx;
    const refuse = (code: string) => {
      void this.#cluster.publishTo(connection.sessionId, { kind: 'refused', node: this.#cluster.nodeId, to: connection.id, request: frame.request, payload: code }).catch(() => {});
    };
    if (!secretsEqual(connection.resumeToken, frame.payload)) {
      refuse('RESUME_TOKEN_INVALID');
      return;
    }
    if (this.#ctx.streams.hasMedia(connection)) {
      // Media is served by this node (its peer connections and forwarding unit); the client rejoins
      // and republishes instead (docs/scale-out.md).
      refuse('RESUME_FAILED');
      return;
    }
    const state: HandedState = {
      id: connection.id,
      sessionId: connection.sessionId,
      role: connection.role,
      data: connection.data,
      creationTime: connection.creationTime,
      resumeToken: connection.resumeToken,
      lastRequestId: connection.lastRequestId,
      announced: connection.announced,
      state: connection.state,
      initialLayoutClassList: connection.initialLayoutClassList,
      replay: connection.replay.snapshot(),
    };
    this.#retire(connection, frame.node, 'resumed on another node');
    this.#cluster.countHandoff('out');
    log.info('handoff: handed over', { session: connection.sessionId, connection: connection.id, to: frame.node, frames: state.replay.sent.length + state.replay.waiting.length });
    void this.#cluster
      .publishTo(connection.sessionId, { kind: 'handed', node: this.#cluster.nodeId, to: connection.id, request: frame.request, payload: JSON.stringify(state) })
      .catch((err: Error) => {
        // Its state is gone with the failed answer: end it properly rather than leave a ghost.
        log.error('handoff: answer not published; the connection ends', { connection: connection.id, error: err.message });
        registry.lostInHandoff(connection.sessionId, connection.id, encodeMessage({ type: 'connectionDestroyed', connectionId: connection.id, reason: 'networkDisconnected' }));
      });
  }

  /** Stops serving a connection that lives on at `toNode`, silently: it is not gone, so nobody is told. */
  #retire(connection: Connection, toNode: string, why: string): void {
    const { registry, liveness, grace, timeline, push } = this.#ctx;
    liveness.stop(connection);
    grace.cancel(connection);
    const socket = connection.socket;
    connection.socket = undefined;
    if (socket && socket.readyState <= 1) {
      socket.removeAllListeners('message');
      socket.removeAllListeners('close');
      socket.close(CloseCodes.networkDisconnected, 'moved');
      setTimeout(() => socket.terminate(), 1_000).unref();
    }
    // Marked so that nothing late (a frame from the old socket, a timer) acts on it here again.
    connection.destroyedReason = 'networkDisconnected';
    registry.detach(connection, toNode);
    push.left(connection, 'clientDisconnected'); // forgets it here; nothing is held, it lives on
    timeline.record(connection, 'moved', why);
    connection.replay.clear();
  }

  #answered(frame: Extract<BusFrame, { kind: 'handed' | 'refused' }>): void {
    const waiter = this.#waiters.get(frame.request);
    if (!waiter || waiter.connectionId !== frame.to || waiter.holder !== frame.node) {
      return; // every node serving the session answers a request; only the holder's answer counts
    }
    const state = frame.kind === 'handed' ? parseHandedState(frame.payload) : undefined;
    if (!state || state.id !== frame.to || state.sessionId !== waiter.sessionId) {
      const code = frame.kind === 'refused' ? frame.payload : 'RESUME_FAILED';
      this.#refusals.set(frame.to, { code, at: this.#ctx.clock.now() });
      this.#pruneRefusals();
      waiter.settle?.({ code });
      this.#drop(frame.request);
      return;
    }
    this.#waiters.delete(frame.request);
    try {
      const connection = this.#adopt(state, frame.request, frame.node, waiter.limits);
      waiter.settle?.(connection);
    } catch (err) {
      this.#ctx.log.error('handoff: adoption failed', { connection: state.id, error: String(err) });
      this.#ctx.registry.captures.end(frame.to, frame.request);
      this.#cluster.release(waiter.sessionId);
      waiter.settle?.({ code: 'RESUME_FAILED' });
    }
  }

  #adopt(state: HandedState, request: string, holder: string, limits: Limits): Connection {
    const { registry, clock, grace, log, push } = this.#ctx;
    const nowMs = clock.now();
    const connection = new Connection({
      id: state.id,
      sessionId: state.sessionId,
      role: state.role,
      data: state.data,
      nowMs,
      socket: undefined,
      limiter: new RateLimiter(limits.rateLimit, nowMs),
      maxReplayBytes: limits.maxReplayBytes,
      resumeToken: state.resumeToken,
      creationTime: state.creationTime,
    });
    connection.lastRequestId = state.lastRequestId;
    connection.announced = state.announced;
    connection.initialLayoutClassList = Array.isArray(state.initialLayoutClassList) ? state.initialLayoutClassList.filter((c) => typeof c === 'string') : [];
    connection.state = state.state;
    connection.replay.restore(state.replay);
    const capture = registry.captures.end(state.id, request);
    // The holder delivered its own frames up to its answer itself (those after come behind it).
    for (const frame of capture?.frames ?? []) {
      if (frame.node !== holder) {
        connection.replay.wait(frame.bytes, frame.droppable);
      }
    }
    registry.adopt(connection, parseSessionId(state.sessionId)?.mediaMode ?? 'relayed');
    push.joined(connection);
    // Away until the new socket is attached; if it never is, the grace ends it here like anywhere.
    grace.adopted(connection);
    if (capture?.kicked) {
      registry.destroy(connection, capture.kicked);
    }
    this.#cluster.countHandoff('in');
    log.info('handoff: adopted', { session: state.sessionId, connection: state.id, captured: capture?.frames.length ?? 0 });
    return connection;
  }

  /** Gives up on a handoff: its capture and its hold on the session go. */
  #drop(request: string): void {
    const waiter = this.#waiters.get(request);
    if (waiter) {
      this.#waiters.delete(request);
      this.#ctx.registry.captures.end(waiter.connectionId, request);
      this.#cluster.release(waiter.sessionId);
    }
  }

  #pruneRefusals(): void {
    if (this.#refusals.size < 1_000) {
      return;
    }
    const now = this.#ctx.clock.now();
    for (const [id, refusal] of this.#refusals) {
      if (now - refusal.at >= REFUSAL_MEMORY_MS) {
        this.#refusals.delete(id);
      }
    }
  }
}

function parseHandedState(text: string): HandedState | undefined {
  try {
    const value = JSON.parse(text) as HandedState;
    const replay = value.replay;
    const valid =
      typeof value.id === 'string' &&
      typeof value.sessionId === 'string' &&
      typeof value.resumeToken === 'string' &&
      isConnectionState(value.state) &&
      Number.isSafeInteger(replay?.seq) &&
      Array.isArray(replay?.sent) &&
      Array.isArray(replay?.waiting) &&
      replay.sent.every((e) => Number.isSafeInteger(e?.seq) && typeof e.frame === 'string') &&
      replay.waiting.every((e) => typeof e?.frame === 'string' && typeof e.droppable === 'boolean');
    return valid ? value : undefined;
  } catch {
    return undefined;
  }
}
