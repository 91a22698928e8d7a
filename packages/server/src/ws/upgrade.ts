import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ID_PATTERN, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, VigilError, isVigilError, parseSessionId } from '@vigil/protocol';
import { verifyClientToken, type TokenGrant } from '../client-token.js';
import { parseSeenStamps } from '../cluster/frame-stamp.js';
import type { Connection } from '../connection.js';
import { secretsEqual } from '../secret-compare.js';
import type { ServerContext } from '../server-context.js';

export const WS_PATH = '/v1/ws';

/** What an upgrade asks for: a new connection (with a verified token) or a resume of an existing one. */
export type UpgradeRequest =
  | { kind: 'join'; grant: TokenGrant; previous?: PreviousConnection }
  | { kind: 'resume'; connection: Connection; rx: number }
  /** A resume of a connection this node does not hold: another node may (`cluster/handoff.ts`). */
  | { kind: 'remoteResume'; sessionId: string; connectionId: string; resumeToken: string; rx: number; seen: ReadonlyMap<string, string> | undefined };

/**
 * Authenticates a WebSocket upgrade request from its query, before any upgrade happens. A join needs
 * `sessionId` and `token`; a resume needs `sessionId`, `resume` (the connection id), `resumeToken` and
 * `rx` (frames processed) — no token, so a resume works even after the token expired. Throws a
 * `VigilError` the caller answers with an HTTP status.
 */
export function authenticateUpgrade(ctx: ServerContext, req: IncomingMessage): UpgradeRequest {
  const url = new URL(req.url ?? '/', 'http://vigil.invalid');
  if (url.pathname.replace(/\/+/g, '/') !== WS_PATH) {
    throw new VigilError('NOT_FOUND', `WebSocket endpoint is ${WS_PATH}.`);
  }
  const query = url.searchParams;
  const protocol = Number(query.get('protocol') ?? PROTOCOL_VERSION);
  if (!Number.isInteger(protocol) || protocol < MIN_PROTOCOL_VERSION || protocol > PROTOCOL_VERSION) {
    throw new VigilError('PROTOCOL_UNSUPPORTED');
  }
  const sessionId = query.get('sessionId') ?? '';
  const resumeId = query.get('resume');
  if (resumeId !== null) {
    const resumeToken = query.get('resumeToken') ?? '';
    const rxText = query.get('rx') ?? '0';
    if (ctx.cluster && !ctx.registry.get(sessionId)?.connections.has(resumeId)) {
      if (parseSessionId(sessionId) === undefined || !ID_PATTERN.test(resumeId)) {
        throw new VigilError('RESUME_FAILED');
      }
      const ov = query.get('ov');
      const seen = ov === null ? undefined : parseSeenStamps(ov);
      if (ov !== null && !seen) {
        throw new VigilError('REQUEST_INVALID', 'ov must list origin.n stamps, comma-separated.');
      }
      return { kind: 'remoteResume', sessionId, connectionId: resumeId, resumeToken, rx: parseRx(rxText), seen };
    }
    return { kind: 'resume', ...findResumable(ctx, sessionId, resumeId, resumeToken, rxText) };
  }
  const grant = verifyClientToken(query.get('token') ?? '', sessionId, ctx.projects, ctx.nowSeconds());
  const previousId = query.get('previous');
  const previous = previousId === null ? undefined : claimPrevious(ctx, sessionId, previousId, query.get('previousToken') ?? '');
  return previous ? { kind: 'join', grant, previous } : { kind: 'join', grant };
}

function parseRx(rxText: string): number {
  const rx = Number(rxText);
  if (!/^\d{1,15}$/.test(rxText) || !Number.isSafeInteger(rx)) {
    throw new VigilError('REQUEST_INVALID', 'rx must be the number of frames processed.');
  }
  return rx;
}

export function findResumable(ctx: ServerContext, sessionId: string, connectionId: string, resumeToken: string, rxText: string): { connection: Connection; rx: number } {
  const rx = parseRx(rxText);
  const connection = ctx.registry.get(sessionId)?.connections.get(connectionId);
  if (!connection || connection.destroyedReason) {
    throw new VigilError('RESUME_FAILED');
  }
  if (!secretsEqual(connection.resumeToken, resumeToken)) {
    throw new VigilError('RESUME_TOKEN_INVALID');
  }
  return { connection, rx };
}

/**
 * A client rejoining after its grace names its old connection, proving ownership with the old resume
 * token. If that connection is somehow still here, the client has moved on: it is removed now (no
 * ghost beside the new one). Either way the client learns which of its requests were processed.
 */
function claimPrevious(ctx: ServerContext, sessionId: string, connectionId: string, resumeToken: string): PreviousConnection {
  const live = ctx.registry.get(sessionId)?.connections.get(connectionId);
  if (live && !live.destroyedReason && secretsEqual(live.resumeToken, resumeToken)) {
    ctx.registry.destroy(live, 'networkDisconnected');
  } else if (!live && ctx.cluster && ID_PATTERN.test(connectionId) && resumeToken !== '') {
    // Maybe held by another node: its holder checks the token and ends it there — or, if its node died,
    // whichever node reads the record (docs/scale-out.md).
    const cluster = ctx.cluster;
    void cluster.publishTo(sessionId, { kind: 'release', node: cluster.nodeId, to: connectionId, request: '-', payload: resumeToken }).catch(() => {});
    void cluster.releaseOrphan(sessionId, connectionId, resumeToken).catch(() => {});
    return { connectionId, resumeToken, elsewhere: true };
  }
  return { connectionId, resumeToken, elsewhere: false };
}

/** A rejoining client's old connection, named with its resume token; what it had processed is looked up later. */
export interface PreviousConnection {
  connectionId: string;
  resumeToken: string;
  /** Possibly ended just now by another node, which remembers it a moment later. */
  elsewhere: boolean;
}

/**
 * What the old connection had processed, from the (possibly shared) departed store; undefined if unknown,
 * and the client then re-sends its unanswered requests.
 */
export async function claimDeparted(ctx: ServerContext, sessionId: string, previous: PreviousConnection): Promise<{ connectionId: string; lastRequestId: number } | undefined> {
  const claim = () => ctx.departed.claim(previous.connectionId, sessionId, previous.resumeToken).catch(() => undefined);
  let lastRequestId = await claim();
  if (lastRequestId === undefined && previous.elsewhere) {
    await new Promise((resolve) => setTimeout(resolve, 300)); // its node ends it on our release, then remembers it
    lastRequestId = await claim();
  }
  return lastRequestId === undefined ? undefined : { connectionId: previous.connectionId, lastRequestId };
}

/** Answers a refused upgrade with a plain HTTP response carrying `{code, message}`, then closes. */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const error = isVigilError(err) ? err : new VigilError('INTERNAL');
  const body = JSON.stringify(error.toWire());
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${error.status} ${statusText(error.status)}\r\n` +
        'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Vigil-Error: ${error.code}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function statusText(status: number): string {
  const texts: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' };
  return texts[status] ?? 'Error';
}
