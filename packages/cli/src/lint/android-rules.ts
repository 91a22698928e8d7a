import { effectivePermission, type PermissionDecl, type ServiceDecl } from './android-manifest.js';
import { createFinding, LintRules, type LintCode } from './rules.js';
import type { LintFinding, LintIntent } from './types.js';

/**
 * The Android rules, over a manifest or over the permissions of an Expo config. On Android 14+ a call that
 * continues in the background runs in a foreground service whose declared types cover what it uses (camera,
 * microphone, phoneCall for Telecom calls), and each type needs its own permission: a mismatch is a
 * SecurityException at startForeground() (lifecycle-anchors.md §3.10). Google Play already requires apps to
 * target API 34+, so the Android 14 rules are applied without reading targetSdkVersion.
 * @module
 */

export interface AndroidSource {
  readonly file: string;
  readonly style: 'manifest' | 'expo';
  readonly permissions: readonly PermissionDecl[];
  /** Declared services; undefined when the format cannot declare any (Expo config). */
  readonly services: readonly ServiceDecl[] | undefined;
  /** Where a missing permission belongs: the `<manifest>` line, or the Expo `android.permissions` key. */
  readonly permissionsLine: number | undefined;
  /** Where a missing service belongs: the `<application>` line. */
  readonly servicesLine: number | undefined;
  /** Expo key paths used in messages, e.g. `expo.android.permissions`. */
  readonly permissionsPath: string;
  readonly blockedPath: string;
  /** Permissions an Expo config plugin adds at prebuild time, mapped to the plugin's name. */
  readonly supplied: ReadonlyMap<string, string>;
}

/** Permission each foreground-service type needs on Android 14+ (`shortService` needs none). */
const TYPE_PERMISSIONS: Readonly<Record<string, string>> = {
  camera: 'FOREGROUND_SERVICE_CAMERA',
  connectedDevice: 'FOREGROUND_SERVICE_CONNECTED_DEVICE',
  dataSync: 'FOREGROUND_SERVICE_DATA_SYNC',
  health: 'FOREGROUND_SERVICE_HEALTH',
  location: 'FOREGROUND_SERVICE_LOCATION',
  mediaPlayback: 'FOREGROUND_SERVICE_MEDIA_PLAYBACK',
  mediaProcessing: 'FOREGROUND_SERVICE_MEDIA_PROCESSING',
  mediaProjection: 'FOREGROUND_SERVICE_MEDIA_PROJECTION',
  microphone: 'FOREGROUND_SERVICE_MICROPHONE',
  phoneCall: 'FOREGROUND_SERVICE_PHONE_CALL',
  remoteMessaging: 'FOREGROUND_SERVICE_REMOTE_MESSAGING',
  specialUse: 'FOREGROUND_SERVICE_SPECIAL_USE',
  systemExempted: 'FOREGROUND_SERVICE_SYSTEM_EXEMPTED',
};

/** Types a call can require, with their own codes; other declared types use ANDROID_FGS_TYPE_PERMISSION_MISSING. */
const TYPE_CODES: Readonly<Record<string, { missingType: LintCode; missingPermission: LintCode }>> = {
  camera: {
    missingType: 'ANDROID_FGS_TYPE_CAMERA_MISSING',
    missingPermission: 'ANDROID_FGS_CAMERA_PERMISSION_MISSING',
  },
  microphone: {
    missingType: 'ANDROID_FGS_TYPE_MICROPHONE_MISSING',
    missingPermission: 'ANDROID_FGS_MICROPHONE_PERMISSION_MISSING',
  },
  phoneCall: {
    missingType: 'ANDROID_FGS_TYPE_PHONE_CALL_MISSING',
    missingPermission: 'ANDROID_FGS_PHONE_CALL_PERMISSION_MISSING',
  },
};

interface Need {
  readonly permission: string;
  readonly code: LintCode;
  /** Where to point when it is missing outright. */
  readonly line: number | undefined;
  /** Extra context, e.g. which service declares the type that needs it. */
  readonly because?: string;
}

/** Checks foreground-service types and permissions of one manifest or Expo config against the intent. */
export function checkAndroid(source: AndroidSource, intent: LintIntent): LintFinding[] {
  const findings: LintFinding[] = [];
  const callkit = intent === 'callkit';
  const requiredTypes = callkit ? ['camera', 'microphone', 'phoneCall'] : ['camera', 'microphone'];
  const declaring = new Map<string, ServiceDecl>();

  if (source.services) {
    const fgs = source.services.filter((service) => service.foregroundServiceTypes.length > 0);
    for (const service of fgs) {
      for (const type of service.foregroundServiceTypes) if (!declaring.has(type)) declaring.set(type, service);
    }
    const first = fgs[0];
    if (!first) {
      findings.push(createFinding('ANDROID_FGS_MISSING', source.file, source.servicesLine ?? source.permissionsLine,
        `No <service> declares android:foregroundServiceType: the call loses camera and microphone in the background.`,
        `Declare a <service> with android:foregroundServiceType="${requiredTypes.join('|')}" `
          + 'and start it during calls.'));
    } else {
      for (const type of requiredTypes) {
        const codes = TYPE_CODES[type];
        if (declaring.has(type) || !codes) continue;
        const has = first.foregroundServiceTypes.join('|');
        findings.push(createFinding(codes.missingType, source.file, first.line,
          `No foreground service declares type "${type}" (${first.name} declares "${has}").`,
          `Add "${type}" to android:foregroundServiceType of ${first.name}.`));
      }
    }
    const phoneCall = declaring.get('phoneCall');
    if (!callkit && phoneCall) {
      findings.push(createFinding('ANDROID_PHONE_CALL_WITHOUT_CALLKIT', source.file, phoneCall.line,
        `${phoneCall.name} declares type "phoneCall" but the intent is audio-video-call `
          + '(no Telecom ConnectionService).'));
    }
  } else {
    findings.push(createFinding('ANDROID_FGS_NOT_CHECKED', source.file, source.permissionsLine,
      'An Expo config cannot declare services, so android:foregroundServiceType was not checked.'));
  }

  for (const need of needs(source, requiredTypes, declaring, callkit)) {
    const finding = checkPermission(source, need);
    if (finding) findings.push(finding);
  }
  return findings;
}

/** The permissions this source must request, each with the code and line to report when it does not. */
function needs(
  source: AndroidSource,
  requiredTypes: readonly string[],
  declaring: ReadonlyMap<string, ServiceDecl>,
  callkit: boolean,
): Need[] {
  const at = source.permissionsLine;
  const list: Need[] = [
    { permission: 'FOREGROUND_SERVICE', code: 'ANDROID_FOREGROUND_SERVICE_PERMISSION_MISSING', line: at },
    { permission: 'CAMERA', code: 'ANDROID_CAMERA_PERMISSION_MISSING', line: at },
    { permission: 'RECORD_AUDIO', code: 'ANDROID_RECORD_AUDIO_PERMISSION_MISSING', line: at },
  ];
  // Types the intent requires, then any other declared type: each one crashes without its permission.
  const types = [...new Set([...requiredTypes, ...declaring.keys()])];
  for (const type of types) {
    const permission = TYPE_PERMISSIONS[type];
    if (!permission) continue;
    const service = declaring.get(type);
    const code = TYPE_CODES[type]?.missingPermission ?? 'ANDROID_FGS_TYPE_PERMISSION_MISSING';
    const because = service ? `${service.name} declares type "${type}"` : `the intent needs type "${type}"`;
    list.push({ permission, code, line: service?.line ?? at, because });
  }
  if (callkit || declaring.has('phoneCall')) {
    list.push({ permission: 'MANAGE_OWN_CALLS', code: 'ANDROID_MANAGE_OWN_CALLS_MISSING', line: at });
  }
  list.push({ permission: 'POST_NOTIFICATIONS', code: 'ANDROID_POST_NOTIFICATIONS_MISSING', line: at });
  if (callkit) {
    list.push({ permission: 'USE_FULL_SCREEN_INTENT', code: 'ANDROID_FULL_SCREEN_INTENT_MISSING', line: at });
  }
  return list;
}

function checkPermission(source: AndroidSource, need: Need): LintFinding | undefined {
  const name = `android.permission.${need.permission}`;
  const decl = effectivePermission(source.permissions, name);
  if (decl?.state === 'declared' || (!decl && source.supplied.has(name))) return undefined;
  const expo = source.style === 'expo';
  const reason = LintRules[need.code].doc;
  const context = need.because ? ` (${need.because})` : '';
  if (decl?.state === 'removed') {
    return createFinding(need.code, source.file, decl.line ?? need.line,
      expo
        ? `${name} is listed in ${source.blockedPath}${context}. ${reason}`
        : `${name} is removed with tools:node="remove"${context}. ${reason}`,
      expo
        ? `Remove "${name}" from ${source.blockedPath}.`
        : `Drop tools:node="remove" from the ${name} <uses-permission>.`);
  }
  if (decl?.state === 'capped') {
    return createFinding(need.code, source.file, decl.line ?? need.line,
      `${name} has android:maxSdkVersion="${decl.maxSdkVersion ?? '?'}", so Android 14+ never grants it`
        + `${context}. ${reason}`,
      `Remove android:maxSdkVersion from the ${name} <uses-permission>.`);
  }
  return createFinding(need.code, source.file, need.line,
    `${name} ${expo ? `is not in ${source.permissionsPath}` : 'is not requested'}${context}. ${reason}`,
    expo
      ? `Add "${name}" to ${source.permissionsPath}.`
      : `Add <uses-permission android:name="${name}"/> to <manifest>.`);
}
