import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { initSession } from '@vigil/client';
import { main, type CommandIo } from '@vigil/cli';
import { parseSessionId } from '@vigil/protocol';
import { ProjectDirectory, verifyClientToken } from '@vigil/server';
import { nextEvent } from '@vigil/test-kit';

const bin = fileURLToPath(new URL('../src/bin/vigil.js', import.meta.url));

function io(cwd: string, env: NodeJS.ProcessEnv = {}): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd };
}

const env = { VIGIL_API_KEY: '47000777', VIGIL_API_SECRET: 'cli-test-secret-0123456789' };

test('session create and token mint ids and tokens the server accepts', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const created = io(cwd, env);
  assert.equal(await main(['session', 'create', '--media-mode', 'routed'], created), 0);
  const sessionId = created.out.join('').trim();
  assert.equal(parseSessionId(sessionId)?.mediaMode, 'routed');
  assert.equal(parseSessionId(sessionId)?.apiKey, '47000777');

  const minted = io(cwd, env);
  assert.equal(await main(['token', '--session', sessionId, '--role', 'moderator', '--data', 'name=Ann', '--ttl', '1h'], minted), 0);
  const projects = new ProjectDirectory([{ apiKey: env.VIGIL_API_KEY, apiSecret: env.VIGIL_API_SECRET }]);
  const now = Math.floor(Date.now() / 1000);
  const grant = verifyClientToken(minted.out.join('').trim(), sessionId, projects, now);
  assert.equal(grant.role, 'moderator');
  assert.equal(grant.data, 'name=Ann');
  assert.ok(Math.abs(grant.expireTime - (now + 3600)) <= 2);

  const t1 = io(cwd, env);
  assert.equal(await main(['token', '--session', sessionId, '--format', 't1'], t1), 0);
  assert.ok(t1.out.join('').startsWith('T1=='));
  assert.equal(verifyClientToken(t1.out.join('').trim(), sessionId, projects, now).role, 'publisher');
});

test('usage mistakes exit 2 with a clear message', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const cases: [string[], RegExp][] = [
    [['token'], /--session is required/],
    [['token', '--session', 'nope'], /not a session id/],
    [['token', '--session', 'x', '--role', 'king'], /--role must be/],
    [['token', '--session', '1_abc', '--ttl', 'forever'], /Invalid duration|not a session id/],
    [['session', 'delete'], /vigil session create/],
    [['serve', '--port', 'seventy'], /--port must be/],
    [['serve', '--bogus'], /Unknown option/],
    [['frobnicate'], /Unknown command "frobnicate"/],
  ];
  for (const [argv, message] of cases) {
    const run = io(cwd, env);
    assert.equal(await main(argv, run), 2, argv.join(' '));
    assert.match(run.err.join(''), message, argv.join(' '));
  }
  const nothing = io(cwd, {});
  assert.equal(await main(['token', '--session', 'x'], nothing), 1);
  assert.match(nothing.err.join(''), /No credentials/);
});

test('`vigil serve` as a process: prints URL and credentials, keeps them, stops on SIGTERM telling clients', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
  const start = async (): Promise<{ child: ReturnType<typeof spawn>; url: string; key: string; secret: string }> => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'warn'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!/API secret/.test(text)) {
      assert.ok(Date.now() < deadline, `serve printed: ${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      child,
      url: /running at (http:\/\/\S+)/.exec(text)?.[1] ?? '',
      key: /API key:\s+(\d+)/.exec(text)?.[1] ?? '',
      secret: /API secret:\s+(\w+)/.exec(text)?.[1] ?? '',
    };
  };
  const first = await start();
  assert.match(first.key, /^\d{8}$/);
  assert.match(first.secret, /^[0-9a-f]{40}$/);
  const file = join(cwd, '.vigil', 'credentials.json');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { apiKey: first.key, apiSecret: first.secret });
  assert.equal(statSync(file).mode & 0o077, 0, 'credentials file is private');

  // A client joins with a CLI-minted token, then the server is stopped.
  const made = io(cwd);
  await main(['session', 'create'], made);
  const sessionId = made.out.join('').trim();
  const tokenRun = io(cwd);
  await main(['token', '--session', sessionId], tokenRun);
  const session = initSession(first.key, sessionId, { url: first.url, WebSocket });
  await session.connect(tokenRun.out.join('').trim());
  const down = nextEvent(session, 'sessionDisconnected', { timeoutMs: 10_000 });
  first.child.kill('SIGTERM');
  assert.equal((await down).reason, 'serverShutdown');
  const code = await new Promise<number | null>((r) => first.child.once('exit', (exitCode) => r(exitCode)));
  assert.equal(code, 0);

  // The second run keeps the same dev credentials.
  const second = await start();
  assert.equal(second.key, first.key);
  second.child.kill('SIGTERM');
});
