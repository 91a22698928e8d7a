import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lineOf, repoPath } from '@vigil/test-kit';
import { lintFiles, type LintIntent, type LintReport } from '../src/lint/index.js';

/** The repo's lint fixtures. */
const fixtures = repoPath('packages', 'cli', 'test', 'fixtures', 'lint');
const fixture = (...parts: string[]): string => join(fixtures, ...parts);

const summary = (report: LintReport): string[] => report.findings.map((f) => `${f.code}@${f.line ?? '-'}`).sort();
const lint = (intent: LintIntent, ...files: string[]): Promise<LintReport> => lintFiles(files, { intent });

/**
 * Copies an app.config.*.fixture into a fresh directory under its real name (the fixtures carry a `.fixture`
 * suffix because Node's test runner would execute any .js under test/, and tsc would compile any .ts).
 */
async function withAppConfig(fixtureName: string, realName: string, run: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-lint-expo-'));
  try {
    const path = join(dir, realName);
    await copyFile(fixture('expo', fixtureName), path);
    await run(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('clean app.json files pass; services cannot be checked in an Expo config (info)', async () => {
  const call = fixture('clean-call', 'app.json');
  const callReport = await lint('audio-video-call', call);
  assert.deepEqual(summary(callReport), [`ANDROID_FGS_NOT_CHECKED@${lineOf(call, '"permissions"')}`]);
  assert.equal(callReport.errorCount + callReport.warningCount, 0);
  // Short permission names ("CAMERA") count; expo-notifications supplies the push entitlement.
  const callkit = fixture('clean-callkit', 'app.json');
  assert.deepEqual(summary(await lint('callkit', callkit)), [`ANDROID_FGS_NOT_CHECKED@${lineOf(callkit, '"permissions"')}`]);
});

test('an unconfigured app: missing keys point at the deepest existing key', async () => {
  const file = fixture('expo', 'unconfigured.json');
  const ios = lineOf(file, '"ios"');
  const android = lineOf(file, '"android"');
  const report = await lint('audio-video-call', file);
  assert.deepEqual(summary(report), [
    `ANDROID_CAMERA_PERMISSION_MISSING@${android}`,
    `ANDROID_FGS_CAMERA_PERMISSION_MISSING@${android}`,
    `ANDROID_FGS_MICROPHONE_PERMISSION_MISSING@${android}`,
    `ANDROID_FGS_NOT_CHECKED@${android}`,
    `ANDROID_FOREGROUND_SERVICE_PERMISSION_MISSING@${android}`,
    `ANDROID_POST_NOTIFICATIONS_MISSING@${android}`,
    `ANDROID_RECORD_AUDIO_PERMISSION_MISSING@${android}`,
    `IOS_AUDIO_MODE_MISSING@${ios}`,
    `IOS_CAMERA_USAGE_MISSING@${ios}`,
    `IOS_MICROPHONE_USAGE_MISSING@${ios}`,
    `IOS_REMOTE_NOTIFICATION_MODE_MISSING@${ios}`,
  ]);
  const audio = report.findings.find((f) => f.code === 'IOS_AUDIO_MODE_MISSING');
  assert.equal(audio?.fix, 'Add "audio" to expo.ios.infoPlist.UIBackgroundModes.');
  const camera = report.findings.find((f) => f.code === 'ANDROID_CAMERA_PERMISSION_MISSING');
  assert.equal(camera?.fix, 'Add "android.permission.CAMERA" to expo.android.permissions.');
});

test('plugins: credited for what they add, reported for what they delete; blocked permissions count as missing', async () => {
  const file = fixture('expo', 'plugins.json');
  const report = await lint('audio-video-call', file);
  assert.deepEqual(summary(report), [
    `ANDROID_FGS_NOT_CHECKED@${lineOf(file, '"permissions"')}`,
    `ANDROID_RECORD_AUDIO_PERMISSION_MISSING@${lineOf(file, '"android.permission.RECORD_AUDIO"')}`,
    `IOS_MICROPHONE_USAGE_MISSING@${lineOf(file, '["expo-camera"')}`,
    `IOS_PUSH_ENTITLEMENT_INVALID@${lineOf(file, '"aps-environment"')}`,
    `IOS_REMOTE_NOTIFICATION_MODE_MISSING@${lineOf(file, '"UIBackgroundModes"')}`,
    `IOS_VOIP_WITHOUT_CALLKIT@${lineOf(file, '"UIBackgroundModes"')}`,
  ]);
  const blocked = report.findings.find((f) => f.code === 'ANDROID_RECORD_AUDIO_PERMISSION_MISSING');
  assert.match(blocked?.message ?? '', /expo\.android\.blockedPermissions/);
  const mic = report.findings.find((f) => f.code === 'IOS_MICROPHONE_USAGE_MISSING');
  assert.match(mic?.message ?? '', /expo-camera plugin deletes NSMicrophoneUsageDescription/);
});

test('the bare form of `expo config --json`, iOS only, with an empty entitlements object', async () => {
  const file = fixture('expo', 'resolved-ios-only.json');
  // expo-audio supplies the audio mode and the microphone text; the camera text is blank; no Android rules.
  assert.deepEqual(summary(await lint('audio-video-call', file)), [`IOS_CAMERA_USAGE_MISSING@${lineOf(file, 'NSCameraUsageDescription')}`]);
  const callkit = await lint('callkit', file);
  assert.deepEqual(summary(callkit), [
    `IOS_CAMERA_USAGE_MISSING@${lineOf(file, 'NSCameraUsageDescription')}`,
    `IOS_PUSH_ENTITLEMENT_MISSING@${lineOf(file, '"entitlements"')}`,
    `IOS_VOIP_MISSING_FOR_CALLKIT@${lineOf(file, '"UIBackgroundModes"')}`,
  ]);
  assert.match(callkit.findings.find((f) => f.code === 'IOS_VOIP_MISSING_FOR_CALLKIT')?.fix ?? '', /^Add "voip" to ios\.infoPlist\.UIBackgroundModes\.$/);
});

test('with callkit, an Expo config without entitlements or expo-notifications says they were not checked', async () => {
  const file = fixture('expo', 'unconfigured.json');
  const report = await lint('callkit', file);
  assert.ok(summary(report).includes('IOS_ENTITLEMENTS_NOT_CHECKED@-'));
});

test('JSON that is not an Expo config, and malformed JSON', async () => {
  assert.deepEqual(summary(await lint('audio-video-call', fixture('expo', 'react-native-app.json'))), ['LINT_FILE_UNKNOWN@1']);
  const malformed = fixture('expo', 'malformed.json');
  assert.deepEqual(summary(await lint('audio-video-call', malformed)), [`LINT_PARSE_ERROR@${lineOf(malformed, '  }')}`]);
});

test('a static app.config.js is linted like app.json', async () => {
  await withAppConfig('app.config.js.fixture', 'app.config.js', async (path) => {
    const source = fixture('expo', 'app.config.js.fixture');
    assert.deepEqual(summary(await lint('audio-video-call', path)), [
      `ANDROID_FGS_NOT_CHECKED@${lineOf(source, 'permissions:')}`,
      `IOS_MICROPHONE_USAGE_MISSING@${lineOf(source, 'infoPlist:')}`,
    ]);
  });
});

test('a static app.config.ts (typed const, `as` casts) passes', async () => {
  await withAppConfig('app.config.ts.fixture', 'app.config.ts', async (path) => {
    assert.deepEqual(summary(await lint('audio-video-call', path)), []);
  });
});

test('computed app.config files are not executed: EXPO_CONFIG_NOT_STATIC (info) with the line', async () => {
  await withAppConfig('app.config.dynamic.ts.fixture', 'app.config.ts', async (path) => {
    const report = await lint('audio-video-call', path);
    assert.deepEqual(summary(report), [`EXPO_CONFIG_NOT_STATIC@${lineOf(fixture('expo', 'app.config.dynamic.ts.fixture'), 'export default')}`]);
    assert.equal(report.errorCount, 0);
    assert.match(report.findings[0]?.message ?? '', /is a function/);
    assert.match(report.findings[0]?.fix ?? '', /npx expo config --json --type introspect/);
  });
  await withAppConfig('app.config.spread.js.fixture', 'app.config.js', async (path) => {
    const report = await lint('audio-video-call', path);
    assert.deepEqual(summary(report), [`EXPO_CONFIG_NOT_STATIC@${lineOf(fixture('expo', 'app.config.spread.js.fixture'), '...shared')}`]);
  });
});
