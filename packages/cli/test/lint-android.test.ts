import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { lineOf, repoPath } from '@vigil/test-kit';
import { lintFiles, type LintIntent, type LintReport } from '../src/lint/index.js';

/** The repo's lint fixtures. */
const fixtures = repoPath('packages', 'cli', 'test', 'fixtures', 'lint');
const fixture = (...parts: string[]): string => join(fixtures, ...parts);

/** `CODE@line` for each finding, sorted: compact, and asserts codes and lines at once. */
const summary = (report: LintReport): string[] => report.findings.map((f) => `${f.code}@${f.line ?? '-'}`).sort();
const lint = (intent: LintIntent, ...files: string[]): Promise<LintReport> => lintFiles(files, { intent });
const cleanCall = fixture('clean-call', 'android', 'app', 'src', 'main', 'AndroidManifest.xml');
const cleanCallkit = fixture('clean-callkit', 'android', 'app', 'src', 'main', 'AndroidManifest.xml');

test('clean manifests pass for their intent', async () => {
  assert.deepEqual((await lint('audio-video-call', cleanCall)).findings, []);
  assert.deepEqual((await lint('callkit', cleanCallkit)).findings, []);
  // The callkit manifest also satisfies audio-video-call, except that phoneCall is then unexpected.
  assert.deepEqual(summary(await lint('audio-video-call', cleanCallkit)), [
    `ANDROID_PHONE_CALL_WITHOUT_CALLKIT@${lineOf(cleanCallkit, 'android:name=".CallService"') - 1}`,
  ]);
});

test('no foreground service at all: ANDROID_FGS_MISSING at <application>, and every missing permission at <manifest>', async () => {
  const file = fixture('android', 'no-fgs.xml');
  const manifest = lineOf(file, '<manifest');
  const report = await lint('audio-video-call', file);
  assert.deepEqual(summary(report), [
    `ANDROID_CAMERA_PERMISSION_MISSING@${manifest}`,
    `ANDROID_FGS_CAMERA_PERMISSION_MISSING@${manifest}`,
    `ANDROID_FGS_MICROPHONE_PERMISSION_MISSING@${manifest}`,
    `ANDROID_FGS_MISSING@${lineOf(file, '<application')}`,
    `ANDROID_FOREGROUND_SERVICE_PERMISSION_MISSING@${manifest}`,
    `ANDROID_POST_NOTIFICATIONS_MISSING@${manifest}`,
    `ANDROID_RECORD_AUDIO_PERMISSION_MISSING@${manifest}`,
  ]);
  assert.equal(report.warningCount, 1);
  assert.equal(report.errorCount, 6);
});

test('a camera-only service misses the microphone type, its permission and RECORD_AUDIO', async () => {
  const file = fixture('android', 'camera-only.xml');
  const manifest = lineOf(file, '<manifest');
  const service = lineOf(file, '<service');
  assert.deepEqual(summary(await lint('audio-video-call', file)), [
    `ANDROID_FGS_MICROPHONE_PERMISSION_MISSING@${manifest}`,
    `ANDROID_FGS_TYPE_MICROPHONE_MISSING@${service}`,
    `ANDROID_RECORD_AUDIO_PERMISSION_MISSING@${manifest}`,
  ]);
});

test('a microphone-only service misses the camera type and its permission', async () => {
  const file = fixture('android', 'microphone-only.xml');
  assert.deepEqual(summary(await lint('audio-video-call', file)), [
    `ANDROID_FGS_CAMERA_PERMISSION_MISSING@${lineOf(file, '<manifest')}`,
    `ANDROID_FGS_TYPE_CAMERA_MISSING@${lineOf(file, '<service')}`,
  ]);
});

test('callkit needs phoneCall, its permission, MANAGE_OWN_CALLS and the full-screen intent', async () => {
  const manifest = lineOf(cleanCall, '<manifest');
  const service = lineOf(cleanCall, '<service');
  const report = await lint('callkit', cleanCall);
  assert.deepEqual(summary(report), [
    `ANDROID_FGS_PHONE_CALL_PERMISSION_MISSING@${manifest}`,
    `ANDROID_FGS_TYPE_PHONE_CALL_MISSING@${service}`,
    `ANDROID_FULL_SCREEN_INTENT_MISSING@${manifest}`,
    `ANDROID_MANAGE_OWN_CALLS_MISSING@${manifest}`,
  ]);
  assert.deepEqual(report.findings.map((f) => f.severity).sort(), ['error', 'error', 'error', 'warning']);
});

test('a declared phoneCall type needs its permission and MANAGE_OWN_CALLS whatever the intent', async () => {
  const file = fixture('android', 'phone-call.xml');
  const service = lineOf(file, '<service');
  assert.deepEqual(summary(await lint('audio-video-call', file)), [
    `ANDROID_FGS_PHONE_CALL_PERMISSION_MISSING@${service}`,
    `ANDROID_MANAGE_OWN_CALLS_MISSING@${lineOf(file, '<manifest')}`,
    `ANDROID_PHONE_CALL_WITHOUT_CALLKIT@${service}`,
  ]);
});

test('removed (tools:node) and capped (maxSdkVersion) permissions point at their element; other types need their permission', async () => {
  const file = fixture('android', 'ineffective.xml');
  const report = await lint('audio-video-call', file);
  assert.deepEqual(summary(report), [
    `ANDROID_FGS_CAMERA_PERMISSION_MISSING@${lineOf(file, 'FOREGROUND_SERVICE_CAMERA')}`,
    `ANDROID_FGS_TYPE_PERMISSION_MISSING@${lineOf(file, 'a:name=".CallService"') - 1}`,
    `ANDROID_POST_NOTIFICATIONS_MISSING@${lineOf(file, '<manifest')}`,
    `ANDROID_RECORD_AUDIO_PERMISSION_MISSING@${lineOf(file, 'RECORD_AUDIO')}`,
  ]);
  const byCode = new Map(report.findings.map((f) => [f.code, f]));
  assert.match(byCode.get('ANDROID_RECORD_AUDIO_PERMISSION_MISSING')?.message ?? '', /tools:node="remove"/);
  assert.match(byCode.get('ANDROID_FGS_CAMERA_PERMISSION_MISSING')?.message ?? '', /maxSdkVersion="33"/);
  assert.match(byCode.get('ANDROID_FGS_TYPE_PERMISSION_MISSING')?.message ?? '', /FOREGROUND_SERVICE_MEDIA_PROJECTION.*mediaProjection/);
  // The service removed with tools:node="remove" does not count, so no dataSync permission is asked for.
  assert.ok(!report.findings.some((f) => f.message.includes('DATA_SYNC')));
});

test('a malformed manifest is a LINT_PARSE_ERROR at the offending line', async () => {
  const file = fixture('android', 'malformed.xml');
  assert.deepEqual(summary(await lint('audio-video-call', file)), [`LINT_PARSE_ERROR@${lineOf(file, 'android:label=Broken')}`]);
});
