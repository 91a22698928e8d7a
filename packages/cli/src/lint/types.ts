/**
 * Public shapes of `vigil lint`: what the app declares it does (the intent), and what the checker reports.
 * @module
 */

/**
 * What the app does in the background, which decides the rules:
 * - `audio-video-call`: calls run while the app is in the foreground or was just backgrounded; incoming calls
 *   reach a suspended app through ordinary pushes. `audio` mode yes, `voip` mode no (App Review 2.5.4).
 * - `callkit`: the app reports incoming calls to CallKit (iOS, woken by PushKit VoIP pushes) and to the Android
 *   Telecom framework (self-managed `ConnectionService`). `voip` mode, the push entitlement and the
 *   `phoneCall` foreground-service type are then required.
 */
export const LintIntents = ['audio-video-call', 'callkit'] as const;
export type LintIntent = (typeof LintIntents)[number];

/** True when `value` names an intent (used to validate `--intent` before any file is read). */
export function isLintIntent(value: unknown): value is LintIntent {
  return typeof value === 'string' && (LintIntents as readonly string[]).includes(value);
}

export const LintSeverities = ['error', 'warning', 'info'] as const;
/** `error` makes `vigil lint` exit with 1; `warning` and `info` never change the exit code. */
export type LintSeverity = (typeof LintSeverities)[number];

/** One problem found in one file. `line` is 1-based and absent when the format has no lines (binary plist). */
export interface LintFinding {
  /** Stable rule code from `LintRules` (see `docs/lint.md`); never renamed or reused. */
  code: string;
  severity: LintSeverity;
  /** The path as it was given to `lintFiles` (or as discovered, relative to the working directory). */
  file: string;
  line?: number;
  /** What is wrong, naming the key or element involved. */
  message: string;
  /** One line telling how to fix it, written for the kind of file that was checked. */
  fix: string;
}

/** The result of one `lintFiles` run. Findings are sorted by file (in input order), then line, then code. */
export interface LintReport {
  files: string[];
  findings: LintFinding[];
  errorCount: number;
  warningCount: number;
}
