import type { ServerContext } from '../server-context.js';
import { kickRemoteConnection } from '../cluster/remote-requests.js';
import { authorizeProject, requireConnection, requireLiveSession, requireOwnSessionId } from './project-auth.js';
import { ErrorBody } from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';
import type { Router } from './router.js';

const forceDisconnectDoc: RouteDoc = {
  operationId: 'forceDisconnect',
  summary: 'Force a connection out of its session',
  description:
    'The connection gets `sessionDisconnected` and every other member `connectionDestroyed`, both with reason ' +
    '`forceDisconnected`. A connection that is away (reconnecting or suspended) is removed too; it learns why ' +
    'when it tries to resume.',
  tags: ['Moderation'],
  auth: 'project',
  sdkMethods: ['forceDisconnect(sessionId, connectionId, cb)'],
  responses: {
    204: { description: 'Removed.' },
    400: { description: 'The session id is malformed or of another API key (`SESSION_ID_INVALID`).', schema: ErrorBody },
    403: { description: 'The credential is missing, invalid, or not for this API key (`AUTH_FAILED`).', schema: ErrorBody },
    404: { description: 'No such live session or connection (`SESSION_NOT_FOUND`, `CONNECTION_NOT_FOUND`).', schema: ErrorBody },
  },
};

/** OpenTok's moderation call the SDK names `forceDisconnect`. */
export function addModerationRoutes(router: Router, ctx: ServerContext): void {
  router.add(
    'DELETE',
    '/v2/project/:apiKey/session/:sessionId/connection/:connectionId',
    async (req, res, params) => {
      const sessionId = requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
      const local = ctx.registry.get(sessionId);
      if (ctx.cluster && !local?.connections.has(params['connectionId'] ?? '')) {
        // Held by another node (or nobody): it announces the departure.
        await kickRemoteConnection(ctx.cluster, sessionId, params['connectionId'] ?? '');
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
        return;
      }
      const session = requireLiveSession(ctx, sessionId);
      const connection = requireConnection(session, params['connectionId']);
      ctx.log.info('rest forceDisconnect()', { session: session.id, connection: connection.id });
      // The registry announces to peers and closes the socket with the reason; once, even if racing.
      ctx.registry.destroy(connection, 'forceDisconnected');
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
    },
    forceDisconnectDoc,
  );
}
