import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { lineOf, repoPath } from '@vigil/test-kit';
import { lintFiles, type LintIntent, type LintReport } from '../src/lint/index.js';

/** The repo's lint fixtures. */
const fixtures = repoPath('packages', 'cli', 'test', 'fixtures', 'lint');
const fixture = (...parts: string[]): string => join(fixtures, ...parts);

/** `CODE@line` for each finding, in report order: compact, and asserts codes and lines at once. */
const summary = (report: LintReport): string[] => report.findings.map((f) => `${f.code}@${f.line ?? '-'}`);
const lint = (intent: LintIntent, ...files: string[]): Promise<LintReport> => lintFiles(files, { intent });

test('clean Info.plist passes for audio-video-call', async () => {
  const report = await lint('audio-video-call', fixture('clean-call', 'ios', 'VigilDemo', 'Info.plist'));
  assert.deepEqual(report.findings, []);
});

test('clean Info.plist + entitlements pass for callkit', async () => {
  const report = await lint('callkit',
    fixture('clean-callkit', 'ios', 'VigilDemo', 'Info.plist'), fixture('clean-callkit', 'ios', 'VigilDemo', 'VigilDemo.entitlements'));
  assert.deepEqual(report.findings, []);
});

test('IOS_AUDIO_MODE_MISSING points at UIBackgroundModes; remote-notification is only info', async () => {
  const file = fixture('ios', 'no-audio.plist');
  const report = await lint('audio-video-call', file);
  const at = lineOf(file, '<key>UIBackgroundModes</key>');
  assert.deepEqual(summary(report), [`IOS_AUDIO_MODE_MISSING@${at}`, `IOS_REMOTE_NOTIFICATION_MODE_MISSING@${at}`]);
  assert.equal(report.errorCount, 1);
  assert.equal(report.warningCount, 0);
  assert.equal(report.findings[1]?.severity, 'info');
  assert.match(report.findings[0]?.fix ?? '', /<string>audio<\/string>/);
});

test('voip is an error for audio-video-call and required for callkit', async () => {
  const voip = fixture('ios', 'voip.plist');
  assert.deepEqual(summary(await lint('audio-video-call', voip)), [`IOS_VOIP_WITHOUT_CALLKIT@${lineOf(voip, '<string>voip</string>')}`]);

  const noAudio = fixture('ios', 'no-audio.plist');
  const callkit = await lint('callkit', noAudio);
  assert.ok(summary(callkit).includes(`IOS_VOIP_MISSING_FOR_CALLKIT@${lineOf(noAudio, '<key>UIBackgroundModes</key>')}`));
});

test('with callkit, an Info.plist alone says the push entitlement was not checked', async () => {
  const voip = fixture('ios', 'voip.plist');
  const report = await lint('callkit', voip);
  assert.deepEqual(summary(report), ['IOS_ENTITLEMENTS_NOT_CHECKED@-']);
  assert.equal(report.findings[0]?.file, voip);
  assert.equal(report.errorCount, 0);
});

test('a plist without any of the keys: every missing key points at the top <dict>', async () => {
  const file = fixture('ios', 'bare.plist');
  const at = lineOf(file, '<dict>');
  assert.deepEqual(summary(await lint('callkit', file, fixture('clean-callkit', 'ios', 'VigilDemo', 'VigilDemo.entitlements'))), [
    `IOS_AUDIO_MODE_MISSING@${at}`,
    `IOS_CAMERA_USAGE_MISSING@${at}`,
    `IOS_MICROPHONE_USAGE_MISSING@${at}`,
    `IOS_REMOTE_NOTIFICATION_MODE_MISSING@${at}`,
    `IOS_VOIP_MISSING_FOR_CALLKIT@${at}`,
  ]);
});

test('wrong value types: modes not an array, empty and non-string usage descriptions', async () => {
  const file = fixture('ios', 'invalid-values.plist');
  const report = await lint('audio-video-call', file);
  assert.deepEqual(summary(report), [
    `IOS_BACKGROUND_MODES_INVALID@${lineOf(file, '<key>UIBackgroundModes</key>')}`,
    `IOS_CAMERA_USAGE_MISSING@${lineOf(file, '<key>NSCameraUsageDescription</key>')}`,
    `IOS_MICROPHONE_USAGE_MISSING@${lineOf(file, '<key>NSMicrophoneUsageDescription</key>')}`,
  ]);
  assert.match(report.findings[1]?.message ?? '', /is empty/);
  assert.match(report.findings[2]?.message ?? '', /is a number, not a string/);
});

test('entitlements: aps-environment must be valid, and present for callkit', async () => {
  const invalid = fixture('ios', 'push-invalid.entitlements');
  const at = lineOf(invalid, '<string>staging</string>');
  assert.deepEqual(summary(await lint('audio-video-call', invalid)), [`IOS_PUSH_ENTITLEMENT_INVALID@${at}`]);

  // Named .plist: recognised as entitlements by its com.apple.* keys, not linted as an Info.plist.
  const missing = fixture('ios', 'no-push-entitlements.plist');
  assert.deepEqual(summary(await lint('audio-video-call', missing)), []);
  assert.deepEqual(summary(await lint('callkit', missing)), [`IOS_PUSH_ENTITLEMENT_MISSING@${lineOf(missing, '<dict>')}`]);
});

test('a malformed plist is a LINT_PARSE_ERROR at the offending line', async () => {
  const file = fixture('ios', 'malformed.plist');
  const report = await lint('audio-video-call', file);
  assert.deepEqual(summary(report), [`LINT_PARSE_ERROR@${lineOf(file, '</dict>')}`]);
  assert.match(report.findings[0]?.message ?? '', /<\/dict> does not close <array>/);
});
