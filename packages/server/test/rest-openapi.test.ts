import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawHttp, startTestServer } from '@vigil/test-kit';
import { buildOpenApiDocument } from '../src/http/openapi.js';
import { Router } from '../src/http/router.js';
import { addSessionRoutes } from '../src/http/session-routes.js';
import { addSignalRoutes } from '../src/http/signal-routes.js';
import { addModerationRoutes } from '../src/http/moderation-routes.js';
import { addInspectRoutes } from '../src/http/inspect-routes.js';
import { addUnsupportedRoutes, UNSUPPORTED_ENDPOINTS } from '../src/http/unsupported-routes.js';
import { addOpenApiRoute } from '../src/http/openapi.js';
import type { ServerContext } from '../src/server-context.js';

type Operation = { operationId?: string; parameters?: { name: string }[]; responses: Record<string, unknown>; 'x-vigil-undocumented'?: boolean };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const IN_SCOPE = ['createSession', 'signalSession', 'signalConnection', 'forceDisconnect', 'getSession', 'getConnection', 'openApiDocument'];

test('the document lists every route the router holds, documented or not', () => {
  const router = new Router();
  // Registration never touches the context; handlers only read it per request.
  const ctx = {} as ServerContext;
  addSessionRoutes(router, ctx);
  addSignalRoutes(router, ctx);
  addModerationRoutes(router, ctx);
  addInspectRoutes(router, ctx);
  addUnsupportedRoutes(router);
  addOpenApiRoute(router);
  router.add('GET', '/v1/without-doc/:thingId', () => undefined);
  const doc = buildOpenApiDocument(router.routes()) as Document;
  const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  const registered = router.routes().map((r) => `${r.method} ${r.pattern.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  assert.deepEqual([...listed].sort(), [...registered].sort());
  const bare = doc.paths['/v1/without-doc/{thingId}']?.['get'];
  assert.equal(bare?.['x-vigil-undocumented'], true);
  assert.deepEqual(bare?.parameters?.map((p) => p.name), ['thingId']);
});

test('GET /v1/openapi.json: OpenAPI 3.1, refs resolve, ids unique, every listed route is served', async (t) => {
  const h = await startTestServer(t);
  const answer = await rawHttp(h.url, { method: 'GET', path: '/v1/openapi.json' });
  assert.equal(answer.status, 200);
  assert.equal(answer.contentType?.split(';')[0], 'application/json');
  const doc = answer.json as Document;
  assert.equal(doc.openapi, '3.1.0');

  const refs = [...answer.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? '');
  assert.ok(refs.length > 0);
  for (const name of refs) {
    assert.ok(Object.hasOwn(doc.components.schemas, name), `unresolved $ref ${name}`);
  }

  const ids: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    const placeholders = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);
    for (const [method, operation] of Object.entries(operations)) {
      assert.deepEqual(operation.parameters?.map((p) => p.name) ?? [], placeholders, `${method} ${path} parameters`);
      assert.ok(Object.keys(operation.responses).length > 0);
      if (operation.operationId) ids.push(operation.operationId);
      // The router knows it: whatever the answer, it is not "no such route" or "wrong method".
      const concrete = path.replace(/\{[A-Za-z]+\}/g, 'probe-id');
      const probe = { method: method.toUpperCase(), path: concrete, headers: { 'content-type': 'application/json' } };
      const served = await rawHttp(h.url, method === 'get' ? probe : { ...probe, body: '{}' });
      const code = (served.json as { code?: string } | undefined)?.code;
      assert.ok(code !== 'NOT_FOUND' && code !== 'METHOD_NOT_ALLOWED', `${method} ${path} is listed but not served (${served.status})`);
    }
  }
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  for (const id of IN_SCOPE) {
    assert.ok(ids.includes(id), `${id} is documented`);
  }
  const unsupported = Object.values(doc.paths).flatMap((ops) => Object.values(ops)).filter((op) => (op as { tags?: string[] }).tags?.includes('Not available yet'));
  assert.equal(unsupported.length, UNSUPPORTED_ENDPOINTS.length);
});

test('the signal operation publishes the schema the server validates with', async (t) => {
  const h = await startTestServer(t);
  const doc = (await rawHttp(h.url, { method: 'GET', path: '/v1/openapi.json' })).json as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, { properties: Record<string, { maxLength?: number }>; required?: string[] }> };
  };
  const operation = doc.paths['/v2/project/{apiKey}/session/{sessionId}/signal']?.['post'];
  assert.equal(operation?.requestBody?.content['application/json']?.schema.$ref, '#/components/schemas/SignalRequest');
  const schema = doc.components.schemas['SignalRequest'];
  assert.equal(schema?.properties['data']?.maxLength, 8192);
  assert.equal(schema?.properties['type']?.maxLength, 128);
  assert.deepEqual(schema?.required, ['data']);
  assert.deepEqual(Object.keys(operation?.responses ?? {}).sort(), ['204', '400', '403', '404', '413', '415', 'default']);
});
