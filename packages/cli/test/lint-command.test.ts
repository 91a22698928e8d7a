import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath } from '@vigil/test-kit';
import { discoverConfigFiles, formatHuman, formatJson, lintFiles, runLintCommand, type LintReport } from '../src/lint/index.js';

/** The repo's lint fixtures. */
const fixtures = repoPath('packages', 'cli', 'test', 'fixtures', 'lint');

/** Runs the command with captured output. */
async function run(argv: string[], cwd = fixtures): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runLintCommand(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, cwd });
  return { code, stdout, stderr };
}

test('usage errors exit 2 with a clear message on stderr and nothing on stdout', async () => {
  const cases: [string[], RegExp][] = [
    [['--intent', 'voip'], /unknown intent "voip" \(expected audio-video-call or callkit\)/],
    [['--intent'], /--intent needs a value/],
    [['--intent='], /--intent needs a value/],
    [['--fix'], /unknown option --fix/],
  ];
  for (const [argv, pattern] of cases) {
    const result = await run(argv);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, pattern);
    assert.match(result.stderr, /Usage: vigil lint/);
    assert.equal(result.stdout, '');
  }
});

test('--help prints the usage and exits 0', async () => {
  const result = await run(['--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: vigil lint \[--intent audio-video-call\|callkit\] \[--json\]/);
});

test('no files and nothing to discover is a usage error', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'vigil-lint-empty-'));
  try {
    const result = await run([], empty);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no files given, and no Info\.plist/);
    const dirArg = await run(['.'], empty);
    assert.equal(dirArg.code, 2);
    assert.match(dirArg.stderr, /found in \./);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('discovery skips test targets and app extensions, and React Native app.json', async () => {
  const found = (dir: string): Promise<string[]> =>
    discoverConfigFiles(join(fixtures, dir)).then((files) => files.map((f) => f.slice(join(fixtures, dir).length + 1)));
  assert.deepEqual(await found('clean-call'), ['ios/VigilDemo/Info.plist', 'app.json', 'android/app/src/main/AndroidManifest.xml']);
  assert.deepEqual(await found('clean-callkit'), [
    'ios/VigilDemo/Info.plist', 'ios/VigilDemo/VigilDemo.entitlements', 'app.json', 'android/app/src/main/AndroidManifest.xml',
  ]);
});

test('clean projects exit 0 when run in their directory (default intent, and callkit)', async () => {
  const call = await run([], join(fixtures, 'clean-call'));
  assert.equal(call.code, 0, call.stdout);
  assert.match(call.stdout, /^3 files checked: 0 errors, 0 warnings, 1 info\.$/m);
  const callkit = await run(['--intent=callkit'], join(fixtures, 'clean-callkit'));
  assert.equal(callkit.code, 0, callkit.stdout);
  assert.match(callkit.stdout, /^4 files checked: 0 errors, 0 warnings, 1 info\.$/m);
});

test('errors exit 1; directory arguments are searched and shown relative to the working directory', async () => {
  const result = await run(['--intent', 'callkit', 'clean-call']);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^clean-call\/ios\/VigilDemo\/Info\.plist:\d+  error  IOS_VOIP_MISSING_FOR_CALLKIT  /m);
  assert.match(result.stdout, /^clean-call\/android\/app\/src\/main\/AndroidManifest\.xml:\d+  error  ANDROID_MANAGE_OWN_CALLS_MISSING  /m);
});

test('warnings and info alone exit 0; a missing file is a finding, not a crash', async () => {
  const warningOnly = await run(['clean-callkit/android/app/src/main/AndroidManifest.xml']);
  assert.equal(warningOnly.code, 0);
  assert.match(warningOnly.stdout, /  warning  ANDROID_PHONE_CALL_WITHOUT_CALLKIT  /);
  const infoOnly = await run(['--intent', 'callkit', 'ios/voip.plist']);
  assert.equal(infoOnly.code, 0);
  assert.match(infoOnly.stdout, /^ios\/voip\.plist  info  IOS_ENTITLEMENTS_NOT_CHECKED  /m);
  const missing = await run(['--', 'nope/Info.plist']);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /^nope\/Info\.plist  error  LINT_FILE_UNREADABLE  Cannot read nope\/Info\.plist: no such file\./m);
});

test('--json prints the report; the file list and counts match', async () => {
  const result = await run(['--json', 'ios/no-audio.plist', 'other/notes.txt']);
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as LintReport;
  assert.deepEqual(report.files, ['ios/no-audio.plist', 'other/notes.txt']);
  assert.deepEqual(report.findings.map((f) => [f.file, f.code, f.severity]), [
    ['ios/no-audio.plist', 'IOS_AUDIO_MODE_MISSING', 'error'],
    ['ios/no-audio.plist', 'IOS_REMOTE_NOTIFICATION_MODE_MISSING', 'info'],
    ['other/notes.txt', 'LINT_FILE_UNKNOWN', 'error'],
  ]);
  assert.equal(report.errorCount, 2);
  assert.equal(report.warningCount, 0);
  assert.ok(report.findings.every((f) => typeof f.fix === 'string' && f.fix.length > 0 && !f.fix.includes('\n')));
  assert.ok(!('line' in (report.findings[2] ?? {})), 'no line key when the finding has no line');
});

test('formatHuman: `file:line  severity  CODE  message — fix`, then a summary', async () => {
  const report = await lintFiles(['ios/no-audio.plist', 'ios/voip.binary.plist', 'clean-call/app.json'], { intent: 'audio-video-call', cwd: fixtures });
  const lines = formatHuman(report).trimEnd().split('\n');
  assert.equal(lines.length, report.findings.length + 1);
  for (const [i, finding] of report.findings.entries()) {
    const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
    assert.equal(lines[i], `${where}  ${finding.severity}  ${finding.code}  ${finding.message} — ${finding.fix}`);
  }
  assert.match(lines[2] ?? '', /^ios\/voip\.binary\.plist  error  IOS_VOIP_WITHOUT_CALLKIT  /);
  assert.equal(lines.at(-1), '3 files checked: 2 errors, 0 warnings, 2 info.');
  assert.equal(formatHuman({ files: ['a'], findings: [], errorCount: 0, warningCount: 0 }), '1 file checked: no problems found.\n');
  assert.deepEqual(JSON.parse(formatJson(report)), JSON.parse(JSON.stringify(report)));
});

test('lintFiles rejects an unknown intent as a programmer error', async () => {
  await assert.rejects(lintFiles([], { intent: 'voip' as never }), TypeError);
});
