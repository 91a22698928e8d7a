import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, runServe, type CommandIo } from '@vigil/cli';
import { mintProjectJwt } from '@vigil/server';
import { FakeApns, apnsTestKey, apnsTestToken, fcmTestServiceAccount } from '@vigil/test-kit';

const env = { VIGIL_API_KEY: '47000888', VIGIL_API_SECRET: 'cli-push-secret-0123456789' };

function io(cwd: string): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd };
}

test('vigil serve --push-config: key files relative to the config, --apns-url pointing at a local APNs; pushes go out', async (t) => {
  const key = apnsTestKey();
  const apns = await FakeApns.start({ publicKey: key.publicKey, keyId: key.keyId, teamId: key.teamId, topic: 'com.example.cli' });
  t.after(() => apns.close());
  const dir = mkdtempSync(join(tmpdir(), 'vigil-push-cli-'));
  writeFileSync(join(dir, 'AuthKey.p8'), key.pem);
  const apnsSection: Record<string, string> = { keyFile: 'AuthKey.p8', keyId: key.keyId, teamId: key.teamId, topic: 'com.example.cli' };
  if (apns.ca !== undefined) {
    apnsSection['ca'] = apns.ca;
  }
  writeFileSync(join(dir, 'push.json'), JSON.stringify({ apns: apnsSection, signalPushIntervalMs: 0 }));
  const run = io(tmpdir());
  const server = await runServe(['--port', '0', '--log-level', 'error', '--no-demo', '--push-config', join(dir, 'push.json'), '--apns-url', apns.url], run);
  t.after(() => server.close());
  assert.match(run.out.join(''), new RegExp(`Push: +APNs \\(${apns.url.replace(/[.]/g, '\\.')}\\)`));

  const auth = mintProjectJwt(env.VIGIL_API_KEY, env.VIGIL_API_SECRET);
  const headers = { 'x-opentok-auth': auth, 'content-type': 'application/json' };
  const token = apnsTestToken();
  const registered = await fetch(`${server.url}/v2/project/${env.VIGIL_API_KEY}/push/registrations`, { method: 'POST', headers, body: JSON.stringify({ identity: 'bob', kind: 'apns', token }) });
  assert.equal(registered.status, 200);
  const sessionId = (await (await fetch(`${server.url}/session/create`, { method: 'POST', headers: { 'x-opentok-auth': auth } })).json()) as [{ session_id: string }];
  await fetch(`${server.url}/v2/project/${env.VIGIL_API_KEY}/session/${sessionId[0].session_id}/identity/signal`, { method: 'POST', headers, body: JSON.stringify({ identity: 'bob', data: 'hi' }) });
  const push = await apns.waitFor();
  assert.equal(push.token, token);
});

test('vigil serve: clear startup errors for bad push configuration (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-push-cli-'));
  const key = apnsTestKey();
  const { account } = fcmTestServiceAccount();
  const write = (name: string, content: unknown): string => {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return join(dir, name);
  };
  writeFileSync(join(dir, 'AuthKey.p8'), key.pem);
  writeFileSync(join(dir, 'rsa.json'), JSON.stringify({ ...account, private_key: key.pem }));
  const apns = { keyFile: 'AuthKey.p8', keyId: key.keyId, teamId: key.teamId, topic: 'com.example.cli' };
  const cases: [string[], RegExp][] = [
    [['--push-config', join(dir, 'missing.json')], /--push-config: cannot read .*missing\.json \(ENOENT\)/],
    [['--push-config', write('broken.json', '{"apns": ')], /--push-config: .*broken\.json is not JSON/],
    [['--push-config', write('typo.json', { apn: apns })], /unknown key "apn"/],
    [['--apns-url', 'http://127.0.0.1:1'], /--apns-url needs --push-config/],
    [['--push-config', write('fcm-only.json', { fcm: { serviceAccountFile: 'rsa.json' } }), '--apns-url', 'http://127.0.0.1:1'], /--apns-url needs an "apns" section/],
    [['--push-config', write('nokey.json', { apns: { ...apns, keyFile: 'nope.p8' } })], /push\.apns\.keyFile: cannot read .*nope\.p8 \(ENOENT\)/],
    [['--push-config', write('badid.json', { apns: { ...apns, keyId: 'x' } })], /push\.apns\.keyId must be the 10-character key id/],
    [['--push-config', write('fcm-ec.json', { fcm: { serviceAccountFile: 'rsa.json' } })], /push\.fcm: the service account's private_key must be an RSA key/],
    [['--push-config', write('vapid.json', { webPush: { vapidPublicKey: 'abc', vapidPrivateKey: 'abc', subject: 'mailto:a@b.c' } })], /push\.webPush\.vapidPublicKey must be/],
  ];
  for (const [flags, message] of cases) {
    const run = io(dir);
    assert.equal(await main(['serve', '--port', '0', '--no-demo', '--log-level', 'error', ...flags], run), 2, flags.join(' '));
    assert.match(run.err.join(''), message, flags.join(' '));
  }
});
