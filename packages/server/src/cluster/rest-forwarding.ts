import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { VigilError } from '@vigil/protocol';
import type { Logger } from '../logger.js';
import type { SessionRegistry } from '../session-registry.js';
import type { ClusterLink } from './cluster-link.js';

/** Marks a forwarded request, so it is never forwarded again (no loops between nodes). */
const FORWARDED = 'x-vigil-forwarded-by';
const SESSION_PATH = /^\/v2\/project\/[^/]+\/session\/([^/]+)(?:\/|$)/;
const TIMEOUT_MS = 10_000;

/**
 * REST calls about a session that is tied to a node (a routed session's media node, or any session
 * with `sessionAffinity: 'all'`) are served by that node: a call that reaches another node through the
 * load balancer is passed on to it, unchanged (same credential), and its answer passed back — so the
 * stream calls and inspection work from any node, and the app server's SDK sees no difference.
 * Returns false when the call is for this node.
 */
export async function forwardToSessionNode(req: IncomingMessage, res: ServerResponse, path: string, deps: { cluster: ClusterLink; registry: SessionRegistry; log: Logger }): Promise<boolean> {
  const match = SESSION_PATH.exec(path);
  if (!match || req.headers[FORWARDED] !== undefined) {
    return false;
  }
  let sessionId: string;
  try {
    sessionId = decodeURIComponent(match[1] as string);
  } catch {
    return false; // the route answers the malformed id
  }
  if (deps.registry.get(sessionId)) {
    return false;
  }
  const home = await deps.cluster.homeOf(sessionId);
  if (!home || home.node === deps.cluster.nodeId) {
    return false;
  }
  const target = new URL(req.url ?? '/', home.url);
  deps.log.debug('rest: forwarded to the session node', { session: sessionId, node: home.node });
  await new Promise<void>((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(target, { method: req.method, headers: { ...req.headers, host: target.host, [FORWARDED]: deps.cluster.nodeId }, timeout: TIMEOUT_MS }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.once('end', resolve);
      answer.once('error', reject);
    });
    outgoing.once('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.once('error', (err) => {
      deps.log.warn('rest: session node unreachable', { session: sessionId, node: home.node, error: err.message });
      reject(new VigilError('NODE_UNREACHABLE'));
    });
    req.pipe(outgoing);
  });
  return true;
}
