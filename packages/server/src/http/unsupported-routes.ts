import { Type } from '@sinclair/typebox';
import { ErrorCodes } from '@vigil/protocol';
import { sendJson } from './respond.js';
import { ErrorBody } from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';
import type { Router } from './router.js';

/**
 * How the 501 body must look for the SDK method to report it instead of crashing:
 * - `object`: `{code, message}`; the SDK shows `message`.
 * - `items`: also `items: []`. `listBroadcasts` reads `body.items.map` even on an error; without it
 *   the caller gets a bare TypeError instead of the message.
 * - `array`: `[{code, message}]`. `listCallbacks` calls `body.map` after reporting an error (it lacks
 *   a `return`); on an object body that throws, the SDK re-enters the handler with a null body, and
 *   the second throw is an unhandled rejection that ends the caller's process (P1).
 */
type ErrorShape = 'object' | 'items' | 'array';

interface Unsupported {
  method: string;
  path: string;
  feature: string;
  sdkMethods: readonly string[];
  shape?: ErrorShape;
}

const P = '/v2/project/:apiKey';

/** Every OpenTok SDK call Vigil does not serve yet (opentok-rest.md §4), with its route. */
export const UNSUPPORTED_ENDPOINTS: readonly Unsupported[] = [
  { method: 'POST', path: `${P}/archive`, feature: 'Archiving', sdkMethods: ['startArchive'] },
  { method: 'GET', path: `${P}/archive`, feature: 'Archiving', sdkMethods: ['listArchives'] },
  { method: 'GET', path: `${P}/archive/:archiveId`, feature: 'Archiving', sdkMethods: ['getArchive'] },
  { method: 'DELETE', path: `${P}/archive/:archiveId`, feature: 'Archiving', sdkMethods: ['deleteArchive'] },
  { method: 'POST', path: `${P}/archive/:archiveId/stop`, feature: 'Archiving', sdkMethods: ['stopArchive'] },
  { method: 'PATCH', path: `${P}/archive/:archiveId/streams`, feature: 'Archiving', sdkMethods: ['addArchiveStream', 'removeArchiveStream'] },
  { method: 'PUT', path: `${P}/archive/:archiveId/layout`, feature: 'Archiving', sdkMethods: ['setArchiveLayout'] },
  { method: 'POST', path: `${P}/broadcast`, feature: 'Broadcasting (live streaming)', sdkMethods: ['startBroadcast'] },
  { method: 'GET', path: `${P}/broadcast`, feature: 'Broadcasting (live streaming)', sdkMethods: ['listBroadcasts'], shape: 'items' },
  { method: 'GET', path: `${P}/broadcast/:broadcastId`, feature: 'Broadcasting (live streaming)', sdkMethods: ['getBroadcast'] },
  { method: 'POST', path: `${P}/broadcast/:broadcastId/stop`, feature: 'Broadcasting (live streaming)', sdkMethods: ['stopBroadcast'] },
  { method: 'PATCH', path: `${P}/broadcast/:broadcastId/streams`, feature: 'Broadcasting (live streaming)', sdkMethods: ['addBroadcastStream', 'removeBroadcastStream'] },
  { method: 'PUT', path: `${P}/broadcast/:broadcastId/layout`, feature: 'Broadcasting (live streaming)', sdkMethods: ['setBroadcastLayout'] },
  { method: 'POST', path: `${P}/dial`, feature: 'SIP interconnect', sdkMethods: ['dial'] },
  { method: 'POST', path: `${P}/session/:sessionId/play-dtmf`, feature: 'SIP DTMF', sdkMethods: ['playDTMF'] },
  { method: 'POST', path: `${P}/session/:sessionId/connection/:connectionId/play-dtmf`, feature: 'SIP DTMF', sdkMethods: ['playDTMF'] },
  { method: 'POST', path: `${P}/connect`, feature: 'The audio connector', sdkMethods: ['websocketConnect'] },
  { method: 'POST', path: `${P}/captions`, feature: 'Live captioning', sdkMethods: ['startCaptions'] },
  { method: 'POST', path: `${P}/captions/:captionsId/stop`, feature: 'Live captioning', sdkMethods: ['stopCaptions'] },
  { method: 'GET', path: `${P}/render`, feature: 'Experience Composer rendering', sdkMethods: ['listRenders'] },
  { method: 'POST', path: `${P}/render`, feature: 'Experience Composer rendering', sdkMethods: ['startRender'] },
  { method: 'GET', path: `${P}/render/:renderId`, feature: 'Experience Composer rendering', sdkMethods: ['getRender'] },
  { method: 'DELETE', path: `${P}/render/:renderId`, feature: 'Experience Composer rendering', sdkMethods: ['stopRender'] },
  { method: 'GET', path: `${P}/callback`, feature: 'Event callback registration', sdkMethods: ['listCallbacks'], shape: 'array' },
  { method: 'POST', path: `${P}/callback`, feature: 'Event callback registration', sdkMethods: ['registerCallback'] },
  { method: 'DELETE', path: `${P}/callback/:callbackId`, feature: 'Event callback registration', sdkMethods: ['unregisterCallback'] },
];

const ItemsErrorBody = Type.Object(
  { code: Type.Literal('NOT_IMPLEMENTED'), message: Type.String(), items: Type.Array(Type.Unknown(), { maxItems: 0 }) },
  { title: 'NotImplementedWithItems' },
);

/**
 * Answers every endpoint of the SDK that Vigil lacks with `501 NOT_IMPLEMENTED` and a message naming
 * the feature and the SDK call, which the SDK surfaces as `Unexpected response from OpenTok: …`.
 *
 * These answer before checking credentials: there is nothing to protect (the reply is the same
 * static text for everyone), and `listCallbacks` would crash its caller's process on a 403.
 */
export function addUnsupportedRoutes(router: Router): void {
  for (const endpoint of UNSUPPORTED_ENDPOINTS) {
    const shape = endpoint.shape ?? 'object';
    const message = `${endpoint.feature} (${endpoint.sdkMethods.join(', ')}) is not available in Vigil yet.`;
    const error = { code: 'NOT_IMPLEMENTED' as const, message };
    const body = shape === 'array' ? [error] : shape === 'items' ? { ...error, items: [] } : error;
    const schema = shape === 'array' ? Type.Array(ErrorBody, { minItems: 1, maxItems: 1 }) : shape === 'items' ? ItemsErrorBody : ErrorBody;
    const doc: RouteDoc = {
      operationId: operationId(endpoint),
      summary: `Not available yet: ${endpoint.feature.toLowerCase()} (${endpoint.sdkMethods.join(', ')})`,
      description: `Always \`501 NOT_IMPLEMENTED\`. See docs/migrating-from-opentok.md.`,
      tags: ['Not available yet'],
      auth: 'none',
      sdkMethods: endpoint.sdkMethods,
      responses: { [ErrorCodes.NOT_IMPLEMENTED.status]: { description: message, schema } },
    };
    router.add(endpoint.method, endpoint.path, (_req, res) => sendJson(res, 501, body), doc);
  }
}

/** `playDTMF` has two routes; the second gets a suffix so operation ids stay unique. */
function operationId(endpoint: Unsupported): string {
  const base = endpoint.sdkMethods.map((m, i) => (i === 0 ? m : `Or${m[0]?.toUpperCase() ?? ''}${m.slice(1)}`)).join('');
  return endpoint.path.includes(':connectionId') ? `${base}ToConnection` : base;
}
