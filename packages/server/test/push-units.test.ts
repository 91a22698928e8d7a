import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { MemoryHeldMessageStore, MemoryPushRegistrationStore, encryptWebPush } from '@vigil/server';
import { identityFromConnectionData } from '../src/push/identity.js';
import { endpointAllowed, DEFAULT_ENDPOINT_ORIGINS } from '../src/push/resolve-config.js';
import { parseRetryAfter, retryDelay } from '../src/push/retry.js';
import { choosePushes } from '../src/push/push-sender.js';
import { collapseKey } from '../src/push/notice-fields.js';
import type { PushNotice, PushRegistration } from '../src/push/types.js';
import { heldBytesContract, heldStoreContract, registrationBoundsContract, registrationStoreContract } from './push-store-contract.js';

test('Web Push encryption reproduces RFC 8291 Appendix A byte for byte', () => {
  const b = (s: string): Buffer => Buffer.from(s, 'base64url');
  const body = encryptWebPush(
    Buffer.from('When I grow up, I want to be a watermelon'),
    b('BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4'),
    b('BTBZMqHH6r4Tts7J_aSIgg'),
    { salt: b('DGv6ra1nlYgDCS1FRnbzlw'), senderPrivateKey: b('yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw') },
  );
  assert.equal(
    body.toString('base64url'),
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
  );
  assert.throws(() => encryptWebPush(Buffer.alloc(4000), createECDH('prime256v1').generateKeys(), Buffer.alloc(16)), RangeError);
});

test('a token names an identity in key=value data or in JSON; anything else names none', () => {
  assert.equal(identityFromConnectionData('identity=alice'), 'alice');
  assert.equal(identityFromConnectionData('name=Ann&identity=ann%40example.com'), 'ann@example.com');
  assert.equal(identityFromConnectionData('name=Ann, identity=u-42'), 'u-42');
  assert.equal(identityFromConnectionData('{"name":"Ann","identity":"u-42"}'), 'u-42');
  for (const data of ['', 'name=Ann', 'identity=', 'identity=has space', '{"identity":42}', '{broken', 'xidentity=a', `identity=${'a'.repeat(129)}`]) {
    assert.equal(identityFromConnectionData(data), undefined, data);
  }
});

test('Web Push endpoints: only allowed push-service origins (no SSRF to arbitrary hosts)', () => {
  assert.ok(endpointAllowed('https://fcm.googleapis.com/fcm/send/abc', DEFAULT_ENDPOINT_ORIGINS));
  assert.ok(endpointAllowed('https://updates.push.services.mozilla.com/wpush/v2/x', DEFAULT_ENDPOINT_ORIGINS));
  assert.ok(endpointAllowed('https://web.push.apple.com/QO', DEFAULT_ENDPOINT_ORIGINS));
  for (const bad of ['http://fcm.googleapis.com/x', 'https://fcm.googleapis.com.evil.test/x', 'https://evil.test/x', 'https://push.apple.com.evil/x', 'https://user@fcm.googleapis.com/x', 'https://fcm.googleapis.com:8443/x', 'not a url', 'https://169.254.169.254/']) {
    assert.ok(!endpointAllowed(bad, DEFAULT_ENDPOINT_ORIGINS), bad);
  }
  assert.ok(endpointAllowed('http://127.0.0.1:9999/push/a', ['http://127.0.0.1:*']));
  assert.ok(!endpointAllowed('http://127.0.0.1:9999/push/a', ['http://127.0.0.1:8888']));
});

test('backoff: bounded attempts, growing pauses with jitter, Retry-After honoured up to the cap', () => {
  const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };
  assert.equal(retryDelay(policy, 1, undefined, () => 0), 50);
  assert.equal(retryDelay(policy, 1, undefined, () => 1), 100);
  assert.equal(retryDelay(policy, 3, undefined, () => 1), 400);
  assert.equal(retryDelay(policy, 3, 700), 700);
  assert.equal(retryDelay(policy, 3, 5_000), undefined, 'a Retry-After past the cap ends the retries');
  assert.equal(retryDelay(policy, 4), undefined, 'attempts are bounded');
  assert.equal(retryDelay({ ...policy, attempts: 40 }, 30, undefined, () => 1), 1_000, 'capped');
  assert.equal(parseRetryAfter('3', 0), 3_000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
  assert.equal(parseRetryAfter('soon', 0), undefined);
});

const registration = (kind: PushRegistration['kind'], id = kind): PushRegistration => ({ id, apiKey: 'k', identity: 'bob', kind, token: 'ab'.repeat(32), createdAt: 0 });
const invite: PushNotice = { type: 'invite', sessionId: 's', inviteId: 'invite-1', from: null, data: '', expiresAt: 1 };
const cancel: PushNotice = { type: 'inviteCancelled', sessionId: 's', inviteId: 'invite-1', expiresAt: 1 };
const signal: PushNotice = { type: 'signal', sessionId: 's', identity: 'bob', signalType: 'chat', from: null, expiresAt: 1 };

test('which device gets which push: VoIP only for invites and only to PushKit tokens; never both VoIP and alert', () => {
  const all = [registration('apns-voip'), registration('apns'), registration('fcm'), registration('webpush')];
  const styles = (notice: PushNotice, regs: PushRegistration[], quiet: 'alert' | 'background' = 'alert'): string[] => choosePushes(notice, regs, quiet).map((p) => `${p.registration.kind}:${p.style}`);
  assert.deepEqual(styles(invite, all), ['apns-voip:voip', 'fcm:alert', 'webpush:alert']);
  assert.deepEqual(styles(invite, [registration('apns'), registration('fcm')]), ['apns:alert', 'fcm:alert']);
  assert.deepEqual(styles(cancel, all), ['apns:alert', 'fcm:alert', 'webpush:alert']);
  assert.deepEqual(styles(signal, all), ['apns:alert', 'fcm:alert', 'webpush:alert']);
  assert.deepEqual(styles(signal, all, 'background'), ['apns:background', 'fcm:background', 'webpush:background']);
  assert.deepEqual(styles(cancel, [registration('apns-voip')]), [], 'a cancellation never goes to PushKit');
});

test('collapse ids: one per identity and session for signals, the invite id for an invite and its cancellation', () => {
  assert.equal(collapseKey(signal), collapseKey({ ...signal, signalType: 'other', from: 'c1' }));
  assert.notEqual(collapseKey(signal), collapseKey({ ...signal, identity: 'carol' }));
  assert.notEqual(collapseKey(signal), collapseKey({ ...signal, sessionId: 't' }));
  assert.equal(collapseKey(invite), 'invite-1');
  assert.equal(collapseKey(cancel), 'invite-1');
  const long = collapseKey({ ...invite, inviteId: 'x'.repeat(64) });
  assert.match(long, /^[A-Za-z0-9_-]{1,32}$/);
});

test('MemoryPushRegistrationStore: the store contract, and its count bounds', async () => {
  await registrationStoreContract(new MemoryPushRegistrationStore());
  await registrationBoundsContract(new MemoryPushRegistrationStore({ maxPerIdentity: 2, maxTotal: 3 }));
  const small = new MemoryPushRegistrationStore({ maxPerIdentity: 2, maxTotal: 3 });
  for (const apiKey of ['k1', 'k2']) {
    for (const id of ['a', 'b']) {
      await small.put({ id, apiKey, identity: id, kind: 'fcm', token: id, createdAt: 0 });
    }
  }
  assert.equal(small.size, 3, 'in memory, maxTotal counts across API keys');
  assert.deepEqual(await small.list('k1', 'a'), []);
});

test('MemoryHeldMessageStore: the contract (expiry, keyed replacement, take once), and its byte caps', async () => {
  let now = 0;
  await heldStoreContract(new MemoryHeldMessageStore(() => now), (ms) => (now += ms));
  let later = 0;
  await heldBytesContract(new MemoryHeldMessageStore(() => later, { maxBytesPerIdentity: 10 }), (ms) => (later += ms));
  const small = new MemoryHeldMessageStore(() => 0, { maxBytesPerIdentity: 10, maxTotalBytes: 15 });
  for (const text of ['aaaa', 'bbbb', 'cccc']) {
    await small.hold('s', 'bob', { text, expiresAt: 1 });
  }
  assert.equal(small.bytes, 8);
  await small.hold('s', 'carol', { text: 'dddddddd', expiresAt: 1 });
  assert.deepEqual(await small.take('s', 'bob'), { messages: [], dropped: 3 }, 'over the total: the oldest identity goes, counted');
  const carol = await small.take('s', 'carol');
  assert.deepEqual(carol.messages.map((m) => m.text), ['dddddddd']);
  assert.equal(small.bytes, 0);
});
