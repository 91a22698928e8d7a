import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath } from '@vigil/test-kit';
import { isLintCode, lintFiles, LintRules, LintSeverities, type LintIntent } from '../src/lint/index.js';

const fixture = (...parts: string[]): string => repoPath('packages', 'cli', 'test', 'fixtures', 'lint', ...parts);
const codes = Object.keys(LintRules);

test('the rule table: codes, severities, one-line fixes and docs', () => {
  assert.ok(codes.length >= 25);
  for (const [code, rule] of Object.entries(LintRules)) {
    assert.match(code, /^(LINT|EXPO|IOS|ANDROID)_[A-Z0-9_]+$/, code);
    assert.ok(isLintCode(code));
    assert.ok((LintSeverities as readonly string[]).includes(rule.severity), code);
    assert.ok(rule.fix.length > 0 && !rule.fix.includes('\n'), `${code}: fix must be one line`);
    assert.ok(rule.doc.length > 0 && !rule.doc.includes('\n'), `${code}: doc must be one line`);
  }
  assert.equal(isLintCode('toString'), false);
  assert.equal(isLintCode('__proto__'), false);
});

test('docs/lint.md lists exactly the codes of the table, with the same severities', () => {
  const doc = readFileSync(repoPath('docs', 'lint.md'), 'utf8');
  // Rows of the rule tables: | `CODE` | severity | … |
  const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1] ?? '', m[2] ?? '']);
  const documented = rows.map(([code]) => code);
  assert.equal(new Set(documented).size, documented.length, 'a code is listed twice');
  assert.deepEqual([...documented].sort(), [...codes].sort());
  for (const [code, severity] of rows) {
    assert.equal(severity, LintRules[code as keyof typeof LintRules].severity, `severity of ${code} in docs/lint.md`);
  }
});

test('the fixtures trigger every rule in the table', async () => {
  const seen = new Set<string>();
  const lint = async (intent: LintIntent, ...files: string[]): Promise<void> => {
    for (const finding of (await lintFiles(files, { intent })).findings) seen.add(finding.code);
  };
  const dirs = ['ios', 'android', 'expo', 'other'];
  const all = dirs.flatMap((dir) => {
    const base = fixture(dir);
    return readdirSync(base).sort().filter((name) => !name.endsWith('.fixture')).map((name) => join(base, name));
  });
  await lint('audio-video-call', ...all, fixture('does-not-exist.plist'));
  await lint('callkit', ...all);
  await lint('callkit', fixture('ios', 'voip.plist'));
  await lint('audio-video-call', fixture('clean-callkit', 'android', 'app', 'src', 'main', 'AndroidManifest.xml'));
  const dir = await mkdtemp(join(tmpdir(), 'vigil-lint-rules-'));
  try {
    await copyFile(fixture('expo', 'app.config.dynamic.ts.fixture'), join(dir, 'app.config.ts'));
    await lint('audio-video-call', join(dir, 'app.config.ts'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(codes.filter((code) => !seen.has(code)), [], 'rules no fixture triggers');
});

test('the clean configs pass with no errors and no warnings', async () => {
  const project = (name: string, ...rest: string[]): string => fixture(name, ...rest);
  const call = await lintFiles([
    project('clean-call', 'ios', 'VigilDemo', 'Info.plist'),
    project('clean-call', 'app.json'),
    project('clean-call', 'android', 'app', 'src', 'main', 'AndroidManifest.xml'),
  ], { intent: 'audio-video-call' });
  assert.deepEqual(call.findings.filter((f) => f.severity !== 'info'), []);
  const callkit = await lintFiles([
    project('clean-callkit', 'ios', 'VigilDemo', 'Info.plist'),
    project('clean-callkit', 'ios', 'VigilDemo', 'VigilDemo.entitlements'),
    project('clean-callkit', 'app.json'),
    project('clean-callkit', 'android', 'app', 'src', 'main', 'AndroidManifest.xml'),
  ], { intent: 'callkit' });
  assert.deepEqual(callkit.findings.filter((f) => f.severity !== 'info'), []);
  assert.equal(call.errorCount + call.warningCount + callkit.errorCount + callkit.warningCount, 0);
});
