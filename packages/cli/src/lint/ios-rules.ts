import { getEntry, type ConfigNode } from './config-node.js';
import type { PluginEffect } from './expo-plugins.js';
import { createFinding } from './rules.js';
import type { LintFinding, LintIntent } from './types.js';

/**
 * The iOS rules, written once over an abstract source so that an Info.plist (XML or binary) and the
 * `ios.infoPlist` / `ios.entitlements` of an Expo config are checked the same way. See lifecycle.md,
 * "Background modes and app configuration", and lifecycle-anchors.md §3.8–3.9.
 * @module
 */

/** What Expo config plugins write into (or delete from) Info.plist at prebuild time. */
export interface IosSupplied {
  readonly audioMode?: PluginEffect | undefined;
  readonly cameraUsage?: PluginEffect | undefined;
  readonly microphoneUsage?: PluginEffect | undefined;
}

export interface IosSource {
  readonly file: string;
  /** `plist` findings speak Info.plist XML; `expo` findings name the key path in the Expo config. */
  readonly style: 'plist' | 'expo';
  /** The Info.plist dictionary; undefined when an Expo config has no `ios.infoPlist`. */
  readonly infoPlist: ConfigNode | undefined;
  /** Prefix that turns a key into the path the user edits: '' or `expo.ios.infoPlist.`. */
  readonly keyPrefix: string;
  /** Where a missing key belongs: the top `<dict>` or the deepest existing Expo key. */
  readonly anchorLine: number | undefined;
  readonly supplied: IosSupplied;
}

export interface EntitlementsSource {
  readonly file: string;
  readonly style: 'plist' | 'expo';
  readonly entitlements: ConfigNode;
  readonly keyPrefix: string;
  readonly anchorLine: number | undefined;
}

const MODES_KEY = 'UIBackgroundModes';
const PUSH_KEY = 'aps-environment';
const APNS_ENVIRONMENTS = ['development', 'production'];

/** Checks background modes and usage descriptions of one Info.plist against the intent. */
export function checkInfoPlist(source: IosSource, intent: LintIntent): LintFinding[] {
  const findings: LintFinding[] = [];
  checkModes(source, intent, findings);
  checkUsage(source, 'NSCameraUsageDescription', 'camera', source.supplied.cameraUsage, findings);
  checkUsage(source, 'NSMicrophoneUsageDescription', 'microphone', source.supplied.microphoneUsage, findings);
  return findings;
}

/** Checks the push entitlement; with --intent callkit it must be present, whatever the intent it must be valid. */
export function checkEntitlements(source: EntitlementsSource, intent: LintIntent): LintFinding[] {
  const entry = getEntry(source.entitlements, PUSH_KEY);
  const path = `${source.keyPrefix}${PUSH_KEY}`;
  const setIt = source.style === 'plist'
    ? `Add <key>${PUSH_KEY}</key><string>production</string> (Xcode: + Capability › Push Notifications).`
    : `Set ${path} to "production" (or "development"), or add the expo-notifications plugin.`;
  if (!entry) {
    return intent === 'callkit'
      ? [createFinding('IOS_PUSH_ENTITLEMENT_MISSING', source.file, source.anchorLine,
        `${path} is missing: APNs, and so PushKit, will not deliver incoming-call pushes.`, setIt)]
      : [];
  }
  const value = entry.value.kind === 'string' ? entry.value.value : undefined;
  if (value === undefined || !APNS_ENVIRONMENTS.includes(value)) {
    const shown = value === undefined ? `a ${entry.value.kind}` : `"${value}"`;
    return [createFinding('IOS_PUSH_ENTITLEMENT_INVALID', source.file, entry.value.line ?? entry.line,
      `${path} is ${shown}; it must be "development" or "production".`)];
  }
  return [];
}

function checkModes(source: IosSource, intent: LintIntent, findings: LintFinding[]): void {
  const { file, keyPrefix, style } = source;
  const modesPath = `${keyPrefix}${MODES_KEY}`;
  const modes = readModes(source, findings);
  // A UIBackgroundModes that is not an array is reported once (IOS_BACKGROUND_MODES_INVALID), not once per mode.
  if (!modes.usable) return;
  const has = (mode: string): boolean => modes.values.has(mode);
  const lineOf = (mode: string): number | undefined => modes.lines.get(mode) ?? modes.keyLine ?? source.anchorLine;
  const add = (mode: string): string =>
    style === 'plist'
      ? `Add <string>${mode}</string> to the ${MODES_KEY} array (Xcode: Signing & Capabilities › Background Modes).`
      : `Add "${mode}" to ${modesPath}.`;
  const audioFromPlugin = source.supplied.audioMode !== undefined && !source.supplied.audioMode.removes;

  if (!has('audio') && !audioFromPlugin) {
    findings.push(createFinding('IOS_AUDIO_MODE_MISSING', file, lineOf('audio'),
      `${modesPath} does not contain "audio": iOS suspends the app, and the call, once it leaves the foreground.`,
      add('audio')));
  }
  if (intent === 'audio-video-call' && has('voip')) {
    findings.push(createFinding('IOS_VOIP_WITHOUT_CALLKIT', file, lineOf('voip'),
      `${modesPath} contains "voip" but the intent is audio-video-call: `
        + 'App Review rejects voip without PushKit/CallKit calls.',
      `Remove ${style === 'plist' ? '<string>voip</string>' : '"voip"'} from ${modesPath}, `
        + 'or lint with --intent callkit if the app reports calls to CallKit.'));
  }
  if (intent === 'callkit' && !has('voip')) {
    findings.push(createFinding('IOS_VOIP_MISSING_FOR_CALLKIT', file, lineOf('voip'),
      `${modesPath} does not contain "voip": PushKit will not deliver incoming-call pushes.`, add('voip')));
  }
  if (!has('remote-notification')) {
    findings.push(createFinding('IOS_REMOTE_NOTIFICATION_MODE_MISSING', file, lineOf('remote-notification'),
      `${modesPath} does not contain "remote-notification": background pushes cannot wake the app to rejoin.`,
      `${add('remote-notification')} Only needed for silent (content-available) wake-up pushes.`));
  }
}

interface Modes {
  readonly values: ReadonlySet<string>;
  /** Line of each mode's own `<string>` (or array item), for findings about a present mode. */
  readonly lines: ReadonlyMap<string, number>;
  readonly keyLine: number | undefined;
  /** False when UIBackgroundModes exists but is not an array: iOS then has no modes and only the shape is reported. */
  readonly usable: boolean;
}

function readModes(source: IosSource, findings: LintFinding[]): Modes {
  const entry = getEntry(source.infoPlist, MODES_KEY);
  const values = new Set<string>();
  const lines = new Map<string, number>();
  if (!entry) return { values, lines, keyLine: undefined, usable: true };
  const items = entry.value.kind === 'array' ? entry.value.items : undefined;
  const strings = items?.every((item) => item.kind === 'string') ?? false;
  if (!items || !strings) {
    findings.push(createFinding('IOS_BACKGROUND_MODES_INVALID', source.file, entry.line,
      `${source.keyPrefix}${MODES_KEY} is ${items ? 'an array with non-string items' : `a ${entry.value.kind}`}, `
        + 'not an array of strings.',
      source.style === 'plist'
        ? `Make ${MODES_KEY} an <array> of <string> values, e.g. <array><string>audio</string></array>.`
        : `Make ${source.keyPrefix}${MODES_KEY} an array of strings, e.g. ["audio"].`));
  }
  for (const item of items ?? []) {
    if (item.kind !== 'string') continue;
    // Compared exactly: iOS does not trim, so " audio" is an unknown mode and audio really is missing.
    const mode = item.value;
    values.add(mode);
    if (item.line !== undefined && !lines.has(mode)) lines.set(mode, item.line);
  }
  return { values, lines, keyLine: entry.line, usable: items !== undefined };
}

function checkUsage(
  source: IosSource,
  key: 'NSCameraUsageDescription' | 'NSMicrophoneUsageDescription',
  device: 'camera' | 'microphone',
  plugin: PluginEffect | undefined,
  findings: LintFinding[],
): void {
  const code = device === 'camera' ? 'IOS_CAMERA_USAGE_MISSING' : 'IOS_MICROPHONE_USAGE_MISSING';
  const path = `${source.keyPrefix}${key}`;
  if (plugin?.removes) {
    findings.push(createFinding(code, source.file, plugin.line ?? source.anchorLine,
      `The ${plugin.plugin} plugin deletes ${key} at prebuild (its permission option is false): `
        + `iOS terminates the app when it opens the ${device}.`,
      `Set the ${plugin.plugin} permission option to a sentence saying why the app uses the ${device}.`));
    return;
  }
  const entry = getEntry(source.infoPlist, key);
  const text = entry?.value.kind === 'string' ? entry.value.value.trim() : undefined;
  if (text) return;
  // The plugins fill in their default sentence when the value is missing or empty.
  if (plugin) return;
  const problem = !entry
    ? 'is missing'
    : entry.value.kind === 'string' ? 'is empty' : `is a ${entry.value.kind}, not a string`;
  const fix = source.style === 'plist'
    ? `Add <key>${key}</key><string>…why the app uses the ${device}…</string> to Info.plist.`
    : `Set ${path} to a sentence saying why the app uses the ${device}.`;
  findings.push(createFinding(code, source.file, entry?.line ?? source.anchorLine,
    `${path} ${problem}: iOS terminates the app when it opens the ${device}.`, fix));
}
