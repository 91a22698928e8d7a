import { VigilError } from '@vigil/protocol';
import type { Connection } from '../connection.js';
import type { ServerContext } from '../server-context.js';
import type { Session } from '../session-registry.js';
import { authorizeProject, projectSession, requireOwnSessionId } from './project-auth.js';
import { sendJson } from './respond.js';
import { ConnectionView, ErrorBody, SessionView, type ConnectionSummary } from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';
import type { Router } from './router.js';
import { streamView, visibleStreams } from './stream-routes.js';

const authErrors = {
  400: { description: 'The session id is malformed or of another API key (`SESSION_ID_INVALID`).', schema: ErrorBody },
  403: { description: 'The credential is missing, invalid, or not for this API key (`AUTH_FAILED`).', schema: ErrorBody },
} as const;

const sessionDoc: RouteDoc = {
  operationId: 'getSession',
  summary: 'A live session: its connections with their lifecycle states, its streams, the timers in force',
  description: 'A Vigil addition (OpenTok has no such call); same credential as the OpenTok routes.',
  tags: ['Inspection'],
  auth: 'project',
  responses: {
    200: { description: 'The session.', schema: SessionView },
    ...authErrors,
    404: { description: 'Nobody is connected to the session (`SESSION_NOT_FOUND`).', schema: ErrorBody },
  },
};

const connectionDoc: RouteDoc = {
  operationId: 'getConnection',
  summary: "A connection and its lifecycle timeline (joined, state changes, exit with the reason)",
  description:
    'A Vigil addition. Connections that exited stay readable for a while (the last 1 000), with state `destroyed`.',
  tags: ['Inspection'],
  auth: 'project',
  responses: {
    200: { description: 'The connection.', schema: ConnectionView },
    ...authErrors,
    404: { description: 'Unknown connection, or not of this session (`CONNECTION_NOT_FOUND`).', schema: ErrorBody },
  },
};

/** Vigil's read-only views for app servers and operators: what a session and a connection are doing. */
export function addInspectRoutes(router: Router, ctx: ServerContext): void {
  router.add(
    'GET',
    '/v2/project/:apiKey/session/:sessionId',
    (req, res, params) => {
      sendJson(res, 200, sessionView(ctx, projectSession(req, ctx, params)));
    },
    sessionDoc,
  );

  router.add(
    'GET',
    '/v2/project/:apiKey/session/:sessionId/connection/:connectionId',
    (req, res, params) => {
      const sessionId = requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
      sendJson(res, 200, connectionView(ctx, sessionId, params['connectionId'] ?? ''));
    },
    connectionDoc,
  );
}

function summary(connection: Connection): ConnectionSummary {
  return {
    connectionId: connection.id,
    data: connection.data,
    role: connection.role,
    creationTime: connection.creationTime,
    state: connection.state,
  };
}

export function sessionView(ctx: ServerContext, session: Session): SessionView {
  const mute = ctx.streams.forceMute.state(session);
  return {
    sessionId: session.id,
    mediaMode: session.mediaMode,
    connections: [...session.connections.values()].map(summary),
    // The same view as `listStreams`: only streams the members can see.
    streams: visibleStreams(session).map(streamView),
    forceMute: { active: mute !== undefined, excludedStreamIds: [...(mute?.excluded ?? [])] },
    timers: { ...ctx.timers },
  };
}

function connectionView(ctx: ServerContext, sessionId: string, connectionId: string): ConnectionView {
  const timeline = (ctx.timeline.get(connectionId) ?? []).map((entry) => ({ ...entry }));
  const live = ctx.registry.get(sessionId)?.connections.get(connectionId);
  if (live) {
    return { ...summary(live), sessionId, timeline };
  }
  // Checking the session id keeps one session's (or project's) history out of another's path.
  const exited = ctx.exited.get(connectionId);
  if (!exited || exited.sessionId !== sessionId) {
    throw new VigilError('CONNECTION_NOT_FOUND');
  }
  return {
    connectionId,
    data: exited.data,
    role: exited.role,
    creationTime: exited.creationTime,
    sessionId,
    state: 'destroyed',
    destroyed: { at: exited.destroyedAt, reason: exited.reason },
    timeline,
  };
}
