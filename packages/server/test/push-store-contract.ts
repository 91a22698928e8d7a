import assert from 'node:assert/strict';
import type { HeldMessageStore, PushRegistrationStore } from '@vigil/server';
import type { PushRegistration } from '../src/push/types.js';

// The push store contracts, run on every implementation (memory in push-units.test.ts, Redis in
// push-stores-redis.test.ts). Not a test file itself: the runner only runs `*.test.js`.

/** Registrations: replace by id, identities and API keys kept apart, a device moving identity, copies out. */
export async function registrationStoreContract(store: PushRegistrationStore): Promise<void> {
  const reg = (id: string, identity: string, createdAt = 0): PushRegistration => ({ id, apiKey: 'k1', identity, kind: 'apns', token: id, createdAt });
  await store.put(reg('a', 'alice'));
  await store.put(reg('b', 'alice'));
  await store.put({ ...reg('c', 'alice'), apiKey: 'k2' });
  assert.deepEqual((await store.list('k1', 'alice')).map((r) => r.id), ['a', 'b']);
  assert.deepEqual((await store.list('k2', 'alice')).map((r) => r.id), ['c'], 'keys are separate projects');
  await store.put(reg('a', 'bob', 5)); // the device now belongs to bob
  assert.deepEqual((await store.list('k1', 'alice')).map((r) => r.id), ['b']);
  assert.deepEqual(await store.list('k1', 'bob'), [reg('a', 'bob', 5)]);
  assert.equal(await store.remove('k1', 'b'), true);
  assert.equal(await store.remove('k1', 'b'), false);
  assert.deepEqual(await store.list('k1', 'alice'), []);
  assert.deepEqual(await store.list('k1', 'nobody'), []);
  const listed = await store.list('k1', 'bob');
  (listed[0] as PushRegistration).identity = 'mallory';
  assert.equal((await store.list('k1', 'bob')).length, 1, 'callers get copies');
  const web: PushRegistration = { id: 'w', apiKey: 'k1', identity: 'ann@example.com', kind: 'webpush', subscription: { endpoint: 'https://web.push.apple.com/x', keys: { p256dh: 'p', auth: 'a' } }, topic: 't', createdAt: 1 };
  await store.put(web);
  assert.deepEqual(await store.list('k1', 'ann@example.com'), [web], 'every field survives');
  await store.put(reg('w', 'ann@example.com', 2)); // the same id again replaces, not duplicates
  assert.deepEqual(await store.list('k1', 'ann@example.com'), [reg('w', 'ann@example.com', 2)]);
}

/**
 * Count bounds, with one API key (where `maxTotal` means the same in every store): the oldest device
 * of an identity goes past `maxPerIdentity` (2 here), the oldest of all past `maxTotal` (3 here).
 */
export async function registrationBoundsContract(store: PushRegistrationStore): Promise<void> {
  const reg = (id: string, identity: string): PushRegistration => ({ id, apiKey: 'k', identity, kind: 'fcm', token: id, createdAt: 0 });
  for (const id of ['a', 'b', 'c']) {
    await store.put(reg(id, 'alice'));
  }
  assert.deepEqual((await store.list('k', 'alice')).map((r) => r.id), ['b', 'c'], 'oldest device forgotten');
  await store.put(reg('b', 'alice')); // registering again makes it the newest
  for (const id of ['d', 'e']) {
    await store.put(reg(id, id));
  }
  assert.deepEqual((await store.list('k', 'alice')).map((r) => r.id), ['b'], 'oldest of all forgotten');
  assert.deepEqual((await store.list('k', 'd')).map((r) => r.id), ['d']);
  assert.deepEqual((await store.list('k', 'e')).map((r) => r.id), ['e']);
  assert.equal(await store.remove('k', 'c'), false, 'an evicted registration is gone');
}

/** Held messages: expiry by the store's clock, keyed replacement in place, take once, boxes kept apart. */
export async function heldStoreContract(store: HeldMessageStore, advance: (ms: number) => void): Promise<void> {
  await store.hold('s1', 'bob', { text: 'one', expiresAt: 1_000 });
  await store.hold('s1', 'bob', { text: 'invite', expiresAt: 5_000, key: 'i1' });
  await store.hold('s1', 'bob', { text: 'two', expiresAt: 5_000 });
  await store.hold('s1', 'bob', { text: 'cancel', expiresAt: 5_000, key: 'i1' }); // replaces in place
  await store.hold('s2', 'bob', { text: 'elsewhere', expiresAt: 5_000 });
  await store.hold('s1', 'carol', { text: 'for carol', expiresAt: 5_000, key: 'i1' });
  advance(1_000);
  assert.deepEqual(await store.take('s1', 'bob'), { messages: [{ text: 'cancel', expiresAt: 5_000, key: 'i1' }, { text: 'two', expiresAt: 5_000 }], dropped: 0 });
  assert.deepEqual(await store.take('s1', 'bob'), { messages: [], dropped: 0 }, 'taken once');
  assert.deepEqual((await store.take('s2', 'bob')).messages.map((m) => m.text), ['elsewhere']);
  assert.deepEqual((await store.take('s1', 'carol')).messages.map((m) => m.text), ['for carol'], 'a key is per box');
  await store.hold('s1', 'bob', { text: 'ünïcödé ☎', expiresAt: 9_000 });
  assert.deepEqual((await store.take('s1', 'bob')).messages, [{ text: 'ünïcödé ☎', expiresAt: 9_000 }]);
  assert.deepEqual(await store.take('never', 'held'), { messages: [], dropped: 0 });
}

/**
 * The per-identity byte cap (10 bytes here, the clock starting at 0): past it the oldest messages are
 * dropped and counted; a message larger than the cap drops itself; what expired no longer counts.
 */
export async function heldBytesContract(store: HeldMessageStore, advance: (ms: number) => void): Promise<void> {
  for (const text of ['aaaa', 'bbbb', 'cccc']) {
    await store.hold('s', 'bob', { text, expiresAt: 60_000 });
  }
  await store.hold('s', 'carol', { text: 'dddd', expiresAt: 60_000 });
  assert.deepEqual(await store.take('s', 'bob'), { messages: [{ text: 'bbbb', expiresAt: 60_000 }, { text: 'cccc', expiresAt: 60_000 }], dropped: 1 });
  await store.hold('s', 'bob', { text: 'eeee', expiresAt: 60_000, key: 'k' });
  await store.hold('s', 'bob', { text: 'ffff', expiresAt: 60_000 });
  await store.hold('s', 'bob', { text: 'gggggg', expiresAt: 60_000, key: 'k' }); // grows in place: 10 bytes, still fits
  assert.deepEqual((await store.take('s', 'bob')).messages.map((m) => m.text), ['gggggg', 'ffff']);
  await store.hold('s', 'bob', { text: 'hh', expiresAt: 60_000 });
  await store.hold('s', 'bob', { text: 'x'.repeat(11), expiresAt: 60_000 });
  assert.deepEqual(await store.take('s', 'bob'), { messages: [], dropped: 2 }, 'too large for the cap: dropped with everything before it');
  assert.deepEqual((await store.take('s', 'carol')).messages.map((m) => m.text), ['dddd'], 'the cap is per identity');
  await store.hold('s', 'bob', { text: 'old1', expiresAt: 1_000, key: 'k' });
  await store.hold('s', 'bob', { text: 'old2', expiresAt: 1_000 });
  advance(1_000);
  await store.hold('s', 'bob', { text: 'new1new1', expiresAt: 60_000 }); // fits once the expired are gone
  await store.hold('s', 'bob', { text: 'kk', expiresAt: 60_000, key: 'k' }); // the expired keyed one is not replaced
  assert.deepEqual(await store.take('s', 'bob'), { messages: [{ text: 'new1new1', expiresAt: 60_000 }, { text: 'kk', expiresAt: 60_000, key: 'k' }], dropped: 0 });
}
