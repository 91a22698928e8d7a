import type { TSchema } from '@sinclair/typebox';
import { sendJson } from './respond.js';
import {
  ConnectCheckBody,
  CreateSessionForm,
  CreateSessionResponse,
  ErrorBody,
  OpenApiDocumentSchema,
  RestSchemas,
  ServerInfo,
} from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';
import type { RouteInfo, Router } from './router.js';

type Json = Record<string, unknown>;

const PARAM_DESCRIPTIONS: Readonly<Record<string, string>> = {
  apiKey: 'The project API key; must equal the `iss` of the X-OPENTOK-AUTH credential.',
  sessionId: 'An OpenTok-format session id that decodes to the path API key.',
  connectionId: 'A connection id, as clients see it in `connectionCreated`.',
};

/**
 * Docs for routes registered by files that predate route docs (session creation, the connect
 * pre-check, server info). Keyed `METHOD pattern`; a route's own doc wins.
 */
const KNOWN_DOCS: Readonly<Record<string, RouteDoc>> = {
  'POST /session/create': {
    operationId: 'createSession',
    summary: 'Create a session (OpenTok-compatible; the SDK sends a form body)',
    description:
      'Answers a one-element JSON array, as OpenTok does; the SDK reads `[0].session_id`. `p2p.preference=disabled` ' +
      '(or `mediaMode=routed`) makes a routed session. The project comes from the credential (no key in the path).',
    tags: ['Sessions'],
    auth: 'project',
    sdkMethods: ['createSession(options, cb)'],
    body: { schema: CreateSessionForm, contentType: 'application/x-www-form-urlencoded' },
    responses: {
      200: { description: 'The new session.', schema: CreateSessionResponse },
      400: { description: 'A bad `location` or `archiveMode` (`REQUEST_INVALID`).', schema: ErrorBody },
      403: { description: 'The credential is missing or invalid (`AUTH_FAILED`).', schema: ErrorBody },
    },
  },
  'POST /v1/connect-check': {
    operationId: 'connectCheck',
    summary: 'Check a client token (or a resume credential) before opening the WebSocket',
    description:
      'Browsers cannot read the status of a refused WebSocket upgrade; the client SDK asks here instead. In a ' +
      'multi-node deployment, a session tied to one node (routed) is named: `redirect` in the 200 answer when this ' +
      'node serves it, `SESSION_ELSEWHERE` with `redirect` when another does (docs/scale-out.md).',
    tags: ['Clients'],
    auth: 'none',
    body: { schema: ConnectCheckBody, required: true },
    responses: {
      200: { description: 'The token (or resume credential) would be accepted; `redirect` names the node that serves a tied session.' },
      421: { description: 'Another node serves this session: connect to `redirect` (`SESSION_ELSEWHERE`).', schema: ErrorBody },
    },
  },
  'GET /v1/info': {
    operationId: 'serverInfo',
    summary: 'Server name, protocol version and liveness timers',
    tags: ['Server'],
    auth: 'none',
    responses: { 200: { description: 'Server info.', schema: ServerInfo } },
  },
};

const OPENAPI_DOC: RouteDoc = {
  operationId: 'openApiDocument',
  summary: 'This document',
  tags: ['Server'],
  auth: 'none',
  responses: { 200: { description: 'The OpenAPI 3.1 document of every registered route.', schema: OpenApiDocumentSchema } },
};

/**
 * Builds the OpenAPI 3.1 document from the router's routes: every registered route appears, those
 * without a doc as a bare entry marked `x-vigil-undocumented`, so nothing can be served unlisted.
 */
export function buildOpenApiDocument(routes: readonly RouteInfo[]): Json {
  const named = new Map<TSchema, string>(RestSchemas.map((s) => [s, String(s['title'])]));
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = route.pattern.replace(/:([A-Za-z]+)/g, '{$1}');
    const doc = route.doc ?? KNOWN_DOCS[`${route.method} ${route.pattern}`];
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, doc, named);
  }
  const schemas: Record<string, unknown> = {};
  for (const [schema, name] of named) {
    schemas[name] = toJsonSchema(schema, named, true);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil REST API',
      version: '0.1.0',
      description:
        'OpenTok-compatible REST for app servers (the unmodified `opentok` Node SDK works against it), plus Vigil ' +
        'additions on the same credential. Errors are always `{code, message}` JSON. Human guide: docs/rest-api.md.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        opentokProjectJwt: {
          type: 'apiKey',
          in: 'header',
          name: 'X-OPENTOK-AUTH',
          description:
            'An HS256 JWT signed with the project secret: {"iss":"<apiKey>","ist":"project","iat":<now>,"exp":<now+300>}, ' +
            'at most 300 s of lifetime. Client tokens are refused.',
        },
      },
    },
  };
}

function operation(route: RouteInfo, doc: RouteDoc | undefined, named: Map<TSchema, string>): Json {
  const parameters = [...route.pattern.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: PARAM_DESCRIPTIONS[name ?? ''] ?? 'A URL-path-safe id.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,255}$' },
  }));
  const errorResponse = { description: 'An error.', content: { 'application/json': { schema: ref(ErrorBody, named) } } };
  if (!doc) {
    return { summary: `${route.method} ${route.pattern}`, 'x-vigil-undocumented': true, parameters, responses: { default: errorResponse } };
  }
  const responses: Json = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    responses[status] = response.schema
      ? { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: ref(response.schema, named) } } }
      : { description: response.description };
  }
  responses['default'] = errorResponse;
  const result: Json = {
    operationId: doc.operationId,
    summary: doc.summary,
    tags: [...doc.tags],
    security: doc.auth === 'project' ? [{ opentokProjectJwt: [] }] : [],
    parameters,
    responses,
  };
  if (doc.description !== undefined) {
    result['description'] = doc.description;
  }
  if (doc.sdkMethods) {
    result['x-opentok-sdk'] = [...doc.sdkMethods];
  }
  if (doc.body) {
    result['requestBody'] = {
      required: doc.body.required ?? false,
      content: { [doc.body.contentType ?? 'application/json']: { schema: ref(doc.body.schema, named) } },
    };
  }
  return result;
}

function ref(schema: TSchema, named: Map<TSchema, string>): unknown {
  return toJsonSchema(schema, named, false);
}

/**
 * A plain JSON copy of a TypeBox schema (its symbol keys dropped), with every named schema below the
 * root replaced by a `$ref` to `components.schemas`.
 */
function toJsonSchema(value: unknown, named: Map<TSchema, string>, isRoot: boolean): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => toJsonSchema(item, named, false));
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const name = named.get(value as TSchema);
  if (!isRoot && name !== undefined) {
    return { $ref: `#/components/schemas/${name}` };
  }
  const copy: Json = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = toJsonSchema(item, named, false);
  }
  return copy;
}

/** Serves the document at `GET /v1/openapi.json`, built from whatever the router holds at the time. */
export function addOpenApiRoute(router: Router): void {
  // Routes are all registered at startup; rebuilding only when their number changes keeps this cheap.
  let cached: { count: number; document: Json } | undefined;
  router.add(
    'GET',
    '/v1/openapi.json',
    (_req, res) => {
      const routes = router.routes();
      if (cached?.count !== routes.length) {
        cached = { count: routes.length, document: buildOpenApiDocument(routes) };
      }
      sendJson(res, 200, cached.document);
    },
    OPENAPI_DOC,
  );
}
