import type { LintFinding, LintSeverity } from './types.js';

/** Static description of one lint rule. */
export interface LintRule {
  readonly severity: LintSeverity;
  /** Which kind of file the rule looks at; `any` for problems reading the file itself. */
  readonly scope: 'any' | 'ios' | 'android' | 'expo';
  /** Default one-line fix; a finding may carry a more precise one for its file kind. */
  readonly fix: string;
  /** Why the rule exists, in one or two sentences (also in `docs/lint.md`). */
  readonly doc: string;
}

/**
 * Every rule `vigil lint` can report, defined once. The key is the stable code printed in findings and in
 * `--json`: codes are never renamed or reused, and a retired rule stays listed. `docs/lint.md` lists the same
 * codes and severities; a test keeps the two in lockstep, and another makes sure a fixture triggers each one.
 */
export const LintRules = {
  // Reading the files.
  LINT_FILE_UNREADABLE: {
    severity: 'error', scope: 'any',
    fix: 'Check the path and that the file is readable (lintFiles takes files; the CLI also takes directories).',
    doc: 'The file could not be read, so nothing in it was checked.',
  },
  LINT_FILE_UNKNOWN: {
    severity: 'error', scope: 'any',
    fix: 'Pass an Info.plist, a .entitlements file, an Expo app.json / app.config.*, or an AndroidManifest.xml.',
    doc: 'The file is not a kind vigil lint understands, so nothing in it was checked.',
  },
  LINT_PARSE_ERROR: {
    severity: 'error', scope: 'any',
    fix: 'Fix the syntax at the reported line (for plists, `plutil -lint <file>` shows the same problem).',
    doc: 'The file is malformed; Xcode, Gradle or Expo would reject it too.',
  },
  EXPO_CONFIG_NOT_STATIC: {
    severity: 'info', scope: 'expo',
    fix: 'Run `npx expo config --json --type introspect > expo-config.json` and lint that file instead.',
    doc: 'app.config.js/ts computes its value (spreads, calls, variables); vigil lint never executes app code.',
  },

  // iOS: Info.plist (or Expo `ios.infoPlist`) and entitlements.
  IOS_BACKGROUND_MODES_INVALID: {
    severity: 'error', scope: 'ios',
    fix: 'Make UIBackgroundModes an array of strings, e.g. <array><string>audio</string></array>.',
    doc: 'UIBackgroundModes must be an array of strings; a string or dictionary there enables no background mode.',
  },
  IOS_AUDIO_MODE_MISSING: {
    severity: 'error', scope: 'ios',
    fix: 'Add `audio` to UIBackgroundModes (Expo: expo.ios.infoPlist.UIBackgroundModes).',
    doc: 'Without the audio background mode iOS suspends the app seconds after it leaves the foreground.',
  },
  IOS_VOIP_WITHOUT_CALLKIT: {
    severity: 'error', scope: 'ios',
    fix: 'Remove `voip` from UIBackgroundModes, or lint with --intent callkit if the app reports calls to CallKit.',
    doc: 'App Review rejects `voip` when the app does not visibly use PushKit/CallKit (guideline 2.5.4).',
  },
  IOS_VOIP_MISSING_FOR_CALLKIT: {
    severity: 'error', scope: 'ios',
    fix: 'Add `voip` to UIBackgroundModes (Expo: expo.ios.infoPlist.UIBackgroundModes).',
    doc: 'PushKit delivers VoIP pushes (incoming calls) only to apps that declare the voip background mode.',
  },
  IOS_REMOTE_NOTIFICATION_MODE_MISSING: {
    severity: 'info', scope: 'ios',
    fix: 'Add `remote-notification` to UIBackgroundModes if the app should be woken by background pushes.',
    doc: 'Vigil wakes suspended apps with pushes; a background (content-available) push only runs code with this mode.',
  },
  IOS_CAMERA_USAGE_MISSING: {
    severity: 'error', scope: 'ios',
    fix: 'Set NSCameraUsageDescription to a sentence saying why the app uses the camera.',
    doc: 'iOS terminates an app that opens the camera without a non-empty NSCameraUsageDescription.',
  },
  IOS_MICROPHONE_USAGE_MISSING: {
    severity: 'error', scope: 'ios',
    fix: 'Set NSMicrophoneUsageDescription to a sentence saying why the app uses the microphone.',
    doc: 'iOS terminates an app that opens the microphone without a non-empty NSMicrophoneUsageDescription.',
  },
  IOS_PUSH_ENTITLEMENT_MISSING: {
    severity: 'error', scope: 'ios',
    fix: 'Enable the Push Notifications capability (aps-environment) for the app target.',
    doc: 'PushKit VoIP pushes, like all APNs pushes, need the aps-environment entitlement; without it no call arrives.',
  },
  IOS_PUSH_ENTITLEMENT_INVALID: {
    severity: 'error', scope: 'ios',
    fix: 'Set aps-environment to `development` or `production`.',
    doc: 'aps-environment must name an APNs environment; any other value fails code signing or push registration.',
  },
  IOS_ENTITLEMENTS_NOT_CHECKED: {
    severity: 'info', scope: 'ios',
    fix: 'Also lint the app target\'s .entitlements file (or set expo.ios.entitlements).',
    doc: 'With --intent callkit the push entitlement is required, but no entitlements were among the linted files.',
  },

  // Android: AndroidManifest.xml (or Expo `android.permissions`).
  ANDROID_FGS_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Declare a <service> with android:foregroundServiceType="camera|microphone" that runs during calls.',
    doc: 'Android 11+ cuts camera and microphone access in the background unless a typed foreground service runs.',
  },
  ANDROID_FGS_TYPE_CAMERA_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add `camera` to the call service\'s android:foregroundServiceType.',
    doc: 'Android 11+ only lets a foreground service use the camera in the background when its type includes camera.',
  },
  ANDROID_FGS_TYPE_MICROPHONE_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add `microphone` to the call service\'s android:foregroundServiceType.',
    doc: 'Android 11+ only lets a foreground service record audio in the background when its type includes microphone.',
  },
  ANDROID_FGS_TYPE_PHONE_CALL_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add `phoneCall` to the call service\'s android:foregroundServiceType.',
    doc: 'A Telecom (ConnectionService) call stays up in the background in a phoneCall service, camera/mic grant or not.',
  },
  ANDROID_PHONE_CALL_WITHOUT_CALLKIT: {
    severity: 'warning', scope: 'android',
    fix: 'Remove `phoneCall` from android:foregroundServiceType, or lint with --intent callkit.',
    doc: 'Google Play expects the phoneCall type only from apps that manage calls through the Telecom framework.',
  },
  ANDROID_FGS_NOT_CHECKED: {
    severity: 'info', scope: 'expo',
    fix: 'Run `npx expo prebuild` and lint android/app/src/main/AndroidManifest.xml as well.',
    doc: 'An Expo config cannot declare services, so the foreground-service types were not checked.',
  },
  ANDROID_FOREGROUND_SERVICE_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.FOREGROUND_SERVICE"/>.',
    doc: 'startForeground() throws SecurityException without FOREGROUND_SERVICE (Android 9+).',
  },
  ANDROID_FGS_CAMERA_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.FOREGROUND_SERVICE_CAMERA"/>.',
    doc: 'Android 14+ throws SecurityException when a camera-type foreground service starts without it.',
  },
  ANDROID_FGS_MICROPHONE_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.FOREGROUND_SERVICE_MICROPHONE"/>.',
    doc: 'Android 14+ throws SecurityException when a microphone-type foreground service starts without it.',
  },
  ANDROID_FGS_PHONE_CALL_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.FOREGROUND_SERVICE_PHONE_CALL"/>.',
    doc: 'Android 14+ throws SecurityException when a phoneCall-type foreground service starts without it.',
  },
  ANDROID_FGS_TYPE_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add the FOREGROUND_SERVICE_<TYPE> permission named in the message, or remove that type.',
    doc: 'Every declared foreground-service type needs its own permission on Android 14+, or the service crashes.',
  },
  ANDROID_CAMERA_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.CAMERA"/>.',
    doc: 'Without CAMERA the app cannot capture video, and a camera-type foreground service cannot start.',
  },
  ANDROID_RECORD_AUDIO_PERMISSION_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.RECORD_AUDIO"/>.',
    doc: 'Without RECORD_AUDIO the app cannot publish audio, and a microphone-type foreground service cannot start.',
  },
  ANDROID_MANAGE_OWN_CALLS_MISSING: {
    severity: 'error', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.MANAGE_OWN_CALLS"/>.',
    doc: 'A self-managed ConnectionService, and a phoneCall service in a non-dialer app, need MANAGE_OWN_CALLS.',
  },
  ANDROID_POST_NOTIFICATIONS_MISSING: {
    severity: 'warning', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.POST_NOTIFICATIONS"/> and request it at runtime.',
    doc: 'On Android 13+ the ongoing-call notification and push wake-up notifications stay hidden without it.',
  },
  ANDROID_FULL_SCREEN_INTENT_MISSING: {
    severity: 'warning', scope: 'android',
    fix: 'Add <uses-permission android:name="android.permission.USE_FULL_SCREEN_INTENT"/>.',
    doc: 'An incoming call can only take over the lock screen with a full-screen intent, which needs this permission.',
  },
} as const satisfies Record<string, LintRule>;

export type LintCode = keyof typeof LintRules;

/** True when `code` is a rule code (own property, so `toString` is not a code). */
export function isLintCode(code: unknown): code is LintCode {
  return typeof code === 'string' && Object.hasOwn(LintRules, code);
}

/**
 * Builds a finding whose severity always comes from the table, so a rule cannot be reported with two
 * severities. `fix` defaults to the rule's generic fix.
 */
export function createFinding(
  code: LintCode,
  file: string,
  line: number | undefined,
  message: string,
  fix?: string,
): LintFinding {
  const rule: LintRule = LintRules[code];
  // `line` is left out rather than undefined (exactOptionalPropertyTypes, and a cleaner --json), next to `file`.
  const at = line !== undefined ? { line } : {};
  return { code, severity: rule.severity, file, ...at, message, fix: fix ?? rule.fix };
}
