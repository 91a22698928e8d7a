import assert from 'node:assert/strict';
import type { DepartedStore } from '../src/departed-connections.js';

// The departed-connection store contract, run on both implementations (departed-stores.test.ts): the
// memory one of a single process, and the Redis one a deployment's nodes share. `a` and `b` are two
// nodes' views of one store (the same object for memory). Not a test file itself.

export async function departedStoreContract(a: DepartedStore, b: DepartedStore): Promise<void> {
  await a.remember('c1', { sessionId: 's1', resumeToken: 'token-1', lastRequestId: 42 });
  assert.equal(await a.claim('c1', 's1', 'wrong-token'), undefined, 'a wrong token learns nothing');
  assert.equal(await a.claim('c1', 's2', 'token-1'), undefined, 'another session learns nothing');
  assert.equal(await b.claim('c1', 's1', 'token-1'), 42, 'the owner learns it (from any node), after failed attempts');
  assert.equal(await a.claim('c1', 's1', 'token-1'), undefined, 'once');
  assert.equal(await b.claim('nobody', 's1', 'token-1'), undefined);

  await a.remember('c2', { sessionId: 's1', resumeToken: 'token-2', lastRequestId: 0 });
  assert.equal(await a.claim('c2', 's1', 'token-2'), 0, 'a connection that processed nothing: 0, not unknown');

  await a.remember('c3', { sessionId: 's1', resumeToken: 'old', lastRequestId: 1 });
  await b.remember('c3', { sessionId: 's1', resumeToken: 'new', lastRequestId: 7 });
  assert.equal(await a.claim('c3', 's1', 'old'), undefined, 'remembered again: the later entry counts');
  assert.equal(await a.claim('c3', 's1', 'new'), 7);

  // Racing claims (two nodes, several attempts each): exactly one wins.
  await a.remember('c4', { sessionId: 's1', resumeToken: 'token-4', lastRequestId: 9 });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).claim('c4', 's1', 'token-4')));
  assert.deepEqual(results.filter((r) => r !== undefined), [9]);
}
