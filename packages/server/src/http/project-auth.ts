import type { IncomingMessage } from 'node:http';
import { VigilError, parseSessionId } from '@vigil/protocol';
import type { Connection } from '../connection.js';
import { verifyProjectJwt } from '../rest-auth.js';
import type { ServerContext } from '../server-context.js';
import type { Session } from '../session-registry.js';
import type { RouteParams } from './router.js';

/**
 * The checks every `/v2/project/:apiKey/…` route starts with: the `X-OPENTOK-AUTH` project JWT speaks
 * for the path's API key (opentok-rest.md §3; a client token never passes, P13). Returns the key.
 */
export function authorizeProject(req: IncomingMessage, ctx: ServerContext, params: RouteParams): string {
  const raw = req.headers['x-opentok-auth'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  return verifyProjectJwt(header, ctx.projects, ctx.nowSeconds(), params['apiKey'] ?? '');
}

/**
 * A session id in a path must decode to the path's API key. The SDK does not check this (P17), so the
 * server does: an id of another project, or no id at all, is a 400 rather than a lookup.
 */
export function requireOwnSessionId(apiKey: string, sessionId: string | undefined): string {
  if (sessionId === undefined || parseSessionId(sessionId)?.apiKey !== apiKey) {
    throw new VigilError('SESSION_ID_INVALID');
  }
  return sessionId;
}

/**
 * The live session. Vigil keeps a session only while someone is in it, so a valid id with nobody
 * connected is "not found" (404), which the SDK reports as "Session or Connection not found".
 */
export function requireLiveSession(ctx: ServerContext, sessionId: string): Session {
  const session = ctx.registry.get(sessionId);
  if (!session) {
    throw new VigilError('SESSION_NOT_FOUND');
  }
  return session;
}

export function requireConnection(session: Session, connectionId: string | undefined): Connection {
  const connection = connectionId === undefined ? undefined : session.connections.get(connectionId);
  if (!connection) {
    throw new VigilError('CONNECTION_NOT_FOUND');
  }
  return connection;
}

/** Authorises the request and resolves `:sessionId` to a live session of the path's project. */
export function projectSession(req: IncomingMessage, ctx: ServerContext, params: RouteParams): Session {
  const apiKey = authorizeProject(req, ctx, params);
  return requireLiveSession(ctx, requireOwnSessionId(apiKey, params['sessionId']));
}
