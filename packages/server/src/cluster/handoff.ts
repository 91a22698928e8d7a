import { CloseCodes, VigilError, isConnectionState, parseSessionId, randomId, type AnnouncedState, type ConnectionState, type Role } from '@vigil/protocol';
import { Connection } from '../connection.js';
import { RateLimiter, type RateLimit } from '../rate-limiter.js';
import type { ReplaySnapshot } from '../replay-buffer.js';
import { secretsEqual } from '../secret-compare.js';
import type { ServerContext } from '../server-context.js';
import type { BusFrame } from './bus-frame.js';
import type { ClusterLink } from './cluster-link.js';

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

type HandoffContext = Pick<ServerContext, 'registry' | 'liveness' | 'grace' | 'clock' | 'log' | 'timeline' | 'streams'>;

interface Waiter {
  sessionId: string;
  connectionId: string;
  settle?: (result: { state: HandedState } | { code: string }) => void;
  adopt: (state: HandedState) => Connection;
}

export class Handoff {
  readonly #ctx: HandoffContext;
  readonly #cluster: ClusterLink;
  readonly #waiters = new Map<string, Waiter>();

  constructor(ctx: HandoffContext, cluster: ClusterLink) {
    this.#ctx = ctx;
    this.#cluster = cluster;
    ctx.registry.onHandoffRequest = (connection, frame) => this.#handOver(connection, frame);
    ctx.registry.onHandoffAnswer = (_sessionId, frame) => this.#answered(frame);
  }

  /**
   * B's side: takes the connection over from whichever node holds it. Resolves with the adopted
   * connection (away, its grace running, until the caller attaches the new socket). Throws
   * `RESUME_FAILED` / `RESUME_TOKEN_INVALID` like a local resume would.
   */
  async takeOver(request: { sessionId: string; connectionId: string; resumeToken: string }, limits: { rateLimit: RateLimit; maxReplayBytes: number }): Promise<Connection> {
    const { registry, log } = this.#ctx;
    const { sessionId, connectionId } = request;
    await this.#cluster.hold(sessionId);
    let adopted: Connection | undefined;
    try {
      const record = (await this.#cluster.loadMembers(sessionId)).get(connectionId);
      if (!record || record.node === this.#cluster.nodeId) {
        throw new VigilError('RESUME_FAILED');
      }
      const id = randomId(16);
      registry.beginCapture(sessionId, connectionId, id, record.node);
      const answer = new Promise<{ state: HandedState } | { code: string }>((resolve) => {
        const waiter: Waiter = {
          sessionId,
          connectionId,
          settle: resolve,
          adopt: (state) => (adopted = this.#adopt(state, id, limits)),
        };
        this.#waiters.set(id, waiter);
        const timer = setTimeout(() => {
          // Too slow: the client rejoins, but an answer that still comes is adopted, not lost.
          delete waiter.settle;
          resolve({ code: 'RESUME_FAILED' });
          const forget = setTimeout(() => this.#forget(id), LATE_ANSWER_MS);
          forget.unref();
        }, ANSWER_TIMEOUT_MS);
        timer.unref();
      });
      registry.startLocalCapture(connectionId, id);
      await this.#cluster.publishTo(sessionId, { kind: 'handoff', node: this.#cluster.nodeId, to: connectionId, request: id, payload: request.resumeToken });
      const result = await answer;
      if ('code' in result) {
        log.info('handoff: refused', { session: sessionId, connection: connectionId, code: result.code });
        throw new VigilError(result.code === 'RESUME_TOKEN_INVALID' ? 'RESUME_TOKEN_INVALID' : 'RESUME_FAILED');
      }
      if (!adopted) {
        throw new VigilError('RESUME_FAILED');
      }
      return adopted;
    } catch (err) {
      if (!adopted) {
        this.#cluster.release(sessionId);
      }
      throw err;
    }
  }

  /** A's side: verifies the request, stops serving the connection and sends its state. */
  #handOver(connection: Connection, frame: Extract<BusFrame, { kind: 'handoff' }>): void {
    const { registry, liveness, grace, log, timeline } = this.#ctx;
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
    // Marked so that nothing late (a frame from the old socket, a timer) acts on it here again.
    connection.destroyedReason = 'networkDisconnected';
    registry.detach(connection, frame.node);
    timeline.record(connection, 'moved', 'resumed on another node');
    connection.replay.clear();
    this.#cluster.countHandoff('out');
    log.info('handoff: handed over', { session: connection.sessionId, connection: connection.id, to: frame.node, frames: state.replay.sent.length + state.replay.waiting.length });
    void this.#cluster
      .publishTo(connection.sessionId, { kind: 'handed', node: this.#cluster.nodeId, to: connection.id, request: frame.request, payload: JSON.stringify(state) })
      .catch((err: Error) => log.error('handoff: answer not published; the connection is lost', { connection: connection.id, error: err.message }));
  }

  #answered(frame: Extract<BusFrame, { kind: 'handed' | 'refused' }>): void {
    const waiter = this.#waiters.get(frame.request);
    if (!waiter || waiter.connectionId !== frame.to) {
      return;
    }
    this.#waiters.delete(frame.request);
    if (frame.kind === 'refused') {
      this.#ctx.registry.endCapture(frame.to, frame.request);
      waiter.settle?.({ code: frame.payload });
      return;
    }
    const state = parseHandedState(frame.payload);
    if (!state || state.id !== frame.to) {
      this.#ctx.registry.endCapture(frame.to, frame.request);
      waiter.settle?.({ code: 'RESUME_FAILED' });
      return;
    }
    const late = !waiter.settle;
    if (late) {
      // The caller gave up and released its hold; the adopted connection needs one of its own.
      void this.#cluster.hold(state.sessionId).then(() => waiter.adopt(state), (err: Error) => this.#ctx.log.error('handoff: late answer not adopted', { connection: state.id, error: err.message }));
      return;
    }
    waiter.adopt(state);
    waiter.settle?.({ state });
  }

  #adopt(state: HandedState, request: string, limits: { rateLimit: RateLimit; maxReplayBytes: number }): Connection {
    const { registry, clock, grace, log } = this.#ctx;
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
    const capture = registry.endCapture(state.id, request);
    for (const frame of capture?.frames ?? []) {
      connection.replay.wait(frame.bytes, frame.droppable);
    }
    registry.adopt(connection, parseSessionId(state.sessionId)?.mediaMode ?? 'relayed');
    // Away until the new socket is attached; if it never is, the grace ends it here like anywhere.
    grace.adopted(connection);
    if (capture?.kicked) {
      registry.destroy(connection, capture.kicked);
    }
    this.#cluster.countHandoff('in');
    log.info('handoff: adopted', { session: state.sessionId, connection: state.id, captured: capture?.frames.length ?? 0 });
    return connection;
  }

  #forget(request: string): void {
    const waiter = this.#waiters.get(request);
    if (waiter) {
      this.#waiters.delete(request);
      this.#ctx.registry.endCapture(waiter.connectionId, request);
    }
  }
}

function parseHandedState(text: string): HandedState | undefined {
  try {
    const value = JSON.parse(text) as HandedState;
    if (typeof value.id !== 'string' || typeof value.resumeToken !== 'string' || !isConnectionState(value.state) || !Array.isArray(value.replay?.sent)) {
      return undefined;
    }
    return value;
  } catch {
    return undefined;
  }
}
