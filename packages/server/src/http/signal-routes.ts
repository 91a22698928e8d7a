import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ServerContext } from '../server-context.js';
import { signalRemoteSession } from '../cluster/remote-requests.js';
import { checkSignal, deliverSignal, prepareSignal } from '../signal-relay.js';
import { readJsonBody } from './json-body.js';
import { authorizeProject, requireLiveSession, requireOwnSessionId } from './project-auth.js';
import { ErrorBody, SignalBody } from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';
import type { RouteHandler, Router } from './router.js';

const checkSignalBody = TypeCompiler.Compile(SignalBody);

/**
 * A body that has the right shape but breaks a limit gets the limit's own code (413 for a long type
 * or data, as OpenTok documents), not a generic 400. `checkSignal` throws that code; if it does not,
 * the generic schema error follows.
 */
function refineSignal(value: unknown): void {
  const body = value as Partial<Record<'type' | 'data', unknown>> | null;
  if (typeof body === 'object' && body !== null && typeof body.data === 'string') {
    if (body.type === undefined || typeof body.type === 'string') {
      checkSignal({ signalType: body.type, data: body.data });
    }
  }
}

const errors = {
  400: { description: 'Malformed body or session id (`REQUEST_INVALID`, `SIGNAL_TYPE_INVALID`, `SESSION_ID_INVALID`).', schema: ErrorBody },
  403: { description: 'The credential is missing, invalid, or not for this API key (`AUTH_FAILED`).', schema: ErrorBody },
  413: { description: 'Type over 128 bytes or data over 8 KB (`SIGNAL_TYPE_TOO_LONG`, `SIGNAL_DATA_TOO_LONG`).', schema: ErrorBody },
  415: { description: 'A body that is not `application/json` (`CONTENT_TYPE_UNSUPPORTED`).', schema: ErrorBody },
} as const;

const sessionSignalDoc: RouteDoc = {
  operationId: 'signalSession',
  summary: 'Send a signal to every connection in a session',
  description:
    'Delivered as a `signal` event with `from: null` (the app server is not a connection). Sessions exist in Vigil ' +
    'only while someone is connected, so a session with nobody in it answers 404.',
  tags: ['Signaling'],
  auth: 'project',
  sdkMethods: ['signal(sessionId, null, payload, cb)'],
  body: { schema: SignalBody, required: true },
  responses: {
    204: { description: 'Sent.' },
    ...errors,
    404: { description: 'Nobody is connected to the session (`SESSION_NOT_FOUND`).', schema: ErrorBody },
  },
};

const connectionSignalDoc: RouteDoc = {
  ...sessionSignalDoc,
  operationId: 'signalConnection',
  summary: 'Send a signal to one connection',
  description: 'Delivered to that connection only, as a `signal` event with `from: null`.',
  sdkMethods: ['signal(sessionId, connectionId, payload, cb)'],
  responses: {
    ...sessionSignalDoc.responses,
    404: { description: 'No such session or connection (`SESSION_NOT_FOUND`, `CONNECTION_NOT_FOUND`).', schema: ErrorBody },
  },
};

/** OpenTok's server-side signalling: the SDK's `signal()`, to a session or to one connection. */
export function addSignalRoutes(router: Router, ctx: ServerContext): void {
  const send: RouteHandler = async (req, res, params) => {
    // Authorise before reading the body, so an anonymous caller cannot make the server read 64 KiB;
    // look the session up after it, since its last member may leave while the body arrives.
    const sessionId = requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
    const body = await readJsonBody(req, checkSignalBody, { refine: refineSignal });
    if (ctx.cluster && !ctx.registry.get(sessionId)) {
      await signalRemoteSession(ctx.cluster, sessionId, { to: params['connectionId'], signalType: body.type, data: body.data });
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const session = requireLiveSession(ctx, sessionId);
    // Validation (limits, recipient) completes before anything is sent: an error sends nothing.
    const plan = prepareSignal(session, null, { to: params['connectionId'], signalType: body.type, data: body.data });
    const delivered = deliverSignal(ctx.registry, session, plan);
    ctx.log.debug('rest signal()', { session: session.id, to: params['connectionId'] ?? 'all', delivered });
    res.writeHead(204, { 'cache-control': 'no-store' });
    res.end();
  };
  router.add('POST', '/v2/project/:apiKey/session/:sessionId/signal', send, sessionSignalDoc);
  router.add('POST', '/v2/project/:apiKey/session/:sessionId/connection/:connectionId/signal', send, connectionSignalDoc);
}
