import { SIGNAL_TYPE_PATTERN, SignalLimits, VigilError, utf8Length } from '@vigil/protocol';
import { encodeMessage, type Connection } from './connection.js';
import type { FrameOrigin } from './cluster/cluster-link.js';
import type { Session, SessionRegistry } from './session-registry.js';

export interface SignalRequest {
  to?: string | undefined;
  signalType?: string | undefined;
  data: string;
}

/** Checks OpenTok's signal limits; throws a `VigilError` naming the limit broken. */
export function checkSignal(request: SignalRequest): void {
  const type = request.signalType ?? '';
  if (utf8Length(type) > SignalLimits.maxTypeBytes) {
    throw new VigilError('SIGNAL_TYPE_TOO_LONG');
  }
  if (!SIGNAL_TYPE_PATTERN.test(type)) {
    throw new VigilError('SIGNAL_TYPE_INVALID');
  }
  if (utf8Length(request.data) > SignalLimits.maxDataBytes) {
    throw new VigilError('SIGNAL_DATA_TOO_LONG');
  }
}

/** A checked signal, ready to deliver: validation is done, so delivery cannot fail. */
export interface SignalPlan {
  bytes: Buffer;
  /** One recipient, or everyone in the session (sender included, as OpenTok does) when absent. */
  target: Connection | undefined;
  /** The recipient's id when another node holds it (multi-node deployments). */
  remoteTarget?: string;
  /** The client request it answers (a deployment logs it: `cluster/session-store.ts`). */
  origin?: FrameOrigin;
}

/**
 * Validates a signal from `from` (null for the app server) and encodes it once. Throws a `VigilError`
 * for broken limits or an unknown recipient. Splitting check and delivery lets the sender's ack go out
 * before its own copy of a broadcast.
 */
export function prepareSignal(session: Session, from: Connection | null, request: SignalRequest, requestId?: number): SignalPlan {
  checkSignal(request);
  let target: Connection | undefined;
  if (request.to !== undefined) {
    target = session.connections.get(request.to);
    if (!target && !session.remote.has(request.to)) {
      throw new VigilError('CONNECTION_NOT_FOUND');
    }
  }
  const bytes = encodeMessage({
    type: 'signal',
    from: from?.id ?? null,
    signalType: request.signalType ?? '',
    data: request.data,
  });
  const plan: SignalPlan = target || request.to === undefined ? { bytes, target } : { bytes, target, remoteTarget: request.to };
  if (from && requestId !== undefined) {
    plan.origin = { sender: from.id, requestId };
  }
  return plan;
}

/** Writes a prepared signal; per-sender order follows from the single event loop. Returns deliveries. */
export function deliverSignal(registry: SessionRegistry, session: Session, plan: SignalPlan): number {
  if (plan.remoteTarget !== undefined) {
    return registry.sendToRemote(session, plan.remoteTarget, plan.bytes, true, plan.origin) ? 1 : 0;
  }
  if (plan.target) {
    const kept = registry.sendDirect(plan.target, plan.bytes, plan.origin);
    if (plan.target.away) {
      registry.onSignalWhileAway(plan.target, plan.bytes);
    }
    return kept ? 1 : 0;
  }
  return registry.broadcast(session, plan.bytes, undefined, true, plan.origin);
}
