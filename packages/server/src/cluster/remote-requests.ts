import { VigilError } from '@vigil/protocol';
import { encodeMessage } from '../connection.js';
import { checkSignal, type SignalRequest } from '../signal-relay.js';
import type { ClusterLink } from './cluster-link.js';

/**
 * REST calls that land on a node holding no member of the session (any node may sit behind the load
 * balancer): the member list is read from Redis and the effect is published for the nodes that hold
 * them. Same checks and errors as the local path.
 */
export async function signalRemoteSession(cluster: ClusterLink, sessionId: string, request: SignalRequest): Promise<void> {
  checkSignal(request);
  const members = await cluster.loadMembers(sessionId);
  if (members.size === 0) {
    throw new VigilError('SESSION_NOT_FOUND');
  }
  if (request.to !== undefined && !members.has(request.to)) {
    throw new VigilError('CONNECTION_NOT_FOUND');
  }
  const payload = encodeMessage({ type: 'signal', from: null, signalType: request.signalType ?? '', data: request.data }).toString();
  await cluster.publishTo(
    sessionId,
    request.to === undefined
      ? { kind: 'broadcast', node: cluster.nodeId, except: '', droppable: true, member: false, payload }
      : { kind: 'direct', node: cluster.nodeId, to: request.to, droppable: true, payload },
  );
}

/** `forceDisconnect` of a member another node holds; that node announces the departure. */
export async function kickRemoteConnection(cluster: ClusterLink, sessionId: string, connectionId: string): Promise<void> {
  const members = await cluster.loadMembers(sessionId);
  if (members.size === 0) {
    throw new VigilError('SESSION_NOT_FOUND');
  }
  if (!members.has(connectionId)) {
    throw new VigilError('CONNECTION_NOT_FOUND');
  }
  await cluster.publishTo(sessionId, { kind: 'kick', node: cluster.nodeId, to: connectionId, reason: 'forceDisconnected' });
}
