import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, silentLogger, type PushOptions } from '@vigil/server';
import { FakeApns, apnsTestKey, apnsTestToken, fcmTestServiceAccount, vapidTestKeys } from '@vigil/test-kit';
import { rest, settle, startPushHarness, TOPIC } from './push-harness.js';

const base = { apiKey: '47000123', apiSecret: 'push-config-secret-0123456789', port: 0, logger: silentLogger };

async function refused(push: PushOptions, message: RegExp): Promise<void> {
  await assert.rejects(
    (async () => {
      const server = await createServer({ ...base, push });
      await server.close();
    })(),
    (err: unknown) => err instanceof TypeError && message.test(err.message),
    String(message),
  );
}

test('bad APNs settings stop the server at startup with a message naming the option', async () => {
  const key = apnsTestKey();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-push-'));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(join(dir, 'AuthKey.p8'), 'not a key');
  const ids = { keyId: key.keyId, teamId: key.teamId, topic: TOPIC };
  const apns = { ...ids, key: key.pem };
  await refused({ apns: { ...ids, keyFile: join(dir, 'missing.p8') } }, /push\.apns\.keyFile: cannot read .*missing\.p8 \(ENOENT\)/);
  await refused({ apns: { ...ids, keyFile: join(dir, 'AuthKey.p8') } }, /push\.apns: the key is not a PEM private key/);
  await refused({ apns: { ...apns, key: rsa } }, /push\.apns: the key must be an ES256 \(P-256\) key.*rsa/);
  await refused({ apns: { ...apns, key: p384 } }, /push\.apns: the key must be an ES256 \(P-256\) key/);
  await refused({ apns: ids }, /push\.apns needs keyFile or key/);
  await refused({ apns: { ...apns, keyFile: join(dir, 'AuthKey.p8') } }, /give keyFile or key, not both/);
  await refused({ apns: { ...apns, keyId: 'short' } }, /push\.apns\.keyId must be the 10-character key id/);
  await refused({ apns: { ...apns, teamId: 'team-id-lowercase' } }, /push\.apns\.teamId must be the 10-character team id/);
  await refused({ apns: { ...apns, topic: `${TOPIC}.voip` } }, /push\.apns\.topic must be the app bundle id/);
  await refused({ apns: { ...apns, url: 'ftp://apple' } }, /push\.apns\.url must be an https:\/\/ URL/);
});

test('bad FCM service accounts stop the server at startup', async () => {
  const { account } = fcmTestServiceAccount();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-push-'));
  writeFileSync(join(dir, 'broken.json'), '{"type": "service_account",');
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await refused({ fcm: { serviceAccountFile: join(dir, 'nope.json') } }, /push\.fcm\.serviceAccountFile: cannot read .*ENOENT/);
  await refused({ fcm: { serviceAccountFile: join(dir, 'broken.json') } }, /push\.fcm: the service account key is not JSON/);
  await refused({ fcm: {} }, /push\.fcm needs serviceAccountFile or serviceAccount/);
  await refused({ fcm: { serviceAccount: { ...account, client_email: '' } } }, /has no "client_email"/);
  await refused({ fcm: { serviceAccount: { ...account, private_key: 'nope' } } }, /private_key is not a PEM private key/);
  await refused({ fcm: { serviceAccount: { ...account, private_key: ec } } }, /private_key must be an RSA key/);
  await refused({ fcm: { serviceAccount: JSON.stringify({ ...account, project_id: undefined }) } }, /has no "project_id"/);
});

test('bad VAPID keys stop the server at startup', async () => {
  const vapid = vapidTestKeys();
  const other = vapidTestKeys();
  const webPush = { vapidPublicKey: vapid.publicKey, vapidPrivateKey: vapid.privateKey, subject: 'mailto:ops@example.com' };
  await refused({ webPush: { ...webPush, vapidPublicKey: vapid.publicKey.slice(0, 40) } }, /vapidPublicKey must be an uncompressed P-256 public key/);
  await refused({ webPush: { ...webPush, vapidPrivateKey: 'A'.repeat(44) } }, /vapidPrivateKey must be a P-256 private key, base64url \(32 bytes\)/);
  await refused({ webPush: { ...webPush, vapidPrivateKey: 'AAAA' } }, /vapidPrivateKey is not a valid P-256 private key/);
  await refused({ webPush: { ...webPush, vapidPrivateKey: other.privateKey } }, /vapidPublicKey does not belong to vapidPrivateKey/);
  await refused({ webPush: { ...webPush, subject: 'ops@example.com' } }, /subject must be a mailto: address or an https: URL/);
  await refused({ webPush: { ...webPush, endpointOrigins: ['*.push.apple.com'] } }, /endpointOrigins: "\*\.push\.apple\.com" is not an origin/);
  await refused({ retry: { attempts: 0 } }, /push\.retry/);
  // Node's ECDH.getPrivateKey() drops leading zero bytes (1 key in 256): such a key still works.
  for (let i = 0; i < 20_000; i += 1) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    if (ecdh.getPrivateKey().length < 32) {
      const server = await createServer({ ...base, push: { webPush: { ...webPush, vapidPublicKey: ecdh.getPublicKey().toString('base64url'), vapidPrivateKey: ecdh.getPrivateKey().toString('base64url') } } });
      await server.close();
      break;
    }
  }
});

test('good keys start the server; a service with no credentials refuses registrations of its kind', async (t) => {
  const { h } = await startPushHarness(t, { without: ['fcm'] });
  const res = await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'fcm', token: 'x'.repeat(40) });
  assert.equal(res.status, 501);
  assert.equal(res.body['code'], 'PUSH_NOT_CONFIGURED');
});

test('APNs over TLS: without push.apns.ca the self-signed test certificate is refused, so nothing is sent', async (t) => {
  const key = apnsTestKey();
  const apns = await FakeApns.start({ publicKey: key.publicKey, keyId: key.keyId, teamId: key.teamId, topic: TOPIC });
  t.after(() => apns.close());
  // npm test provisions openssl, so the fake APNs always speaks TLS here.
  assert.ok(apns.ca !== undefined, 'openssl is needed for the TLS fake APNs (apt-get install -y openssl)');
  assert.match(apns.url, /^https:/);
  const { h } = await startPushHarness(t, { push: { apns: { key: key.pem, keyId: key.keyId, teamId: key.teamId, topic: TOPIC, url: apns.url }, retry: { attempts: 1 } } });
  await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'apns', token: apnsTestToken() });
  await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${h.newSessionId()}/identity/signal`, { identity: 'bob', data: 'x' });
  await settle(500);
  assert.equal(apns.requests.length, 0, 'the TLS handshake failed before any request');
});
