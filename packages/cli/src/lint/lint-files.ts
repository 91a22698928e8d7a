import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkFile, type FileResult } from './check-file.js';
import { detectKind } from './detect.js';
import { createFinding } from './rules.js';
import { isLintIntent, LintIntents, type LintFinding, type LintIntent, type LintReport } from './types.js';

export interface LintOptions {
  /** What the app does in the background; decides which modes, types and permissions are required. */
  readonly intent: LintIntent;
  /** Directory relative paths are read from; default `process.cwd()`. Findings keep the paths as given. */
  readonly cwd?: string | undefined;
}

/**
 * Checks iOS Info.plist (XML or binary) and .entitlements files, Expo app.json / app.config.*, and
 * AndroidManifest.xml files against the app's intent. The kind of each file is detected from its name, else
 * its content. A file that cannot be read or understood is reported as an error finding; the promise only
 * rejects for a programmer error (an unknown intent, which throws TypeError).
 *
 * @example
 * const files = ['ios/App/Info.plist', 'ios/App/App.entitlements', 'android/app/src/main/AndroidManifest.xml'];
 * const report = await lintFiles(files, { intent: 'callkit' });
 * if (report.errorCount > 0) console.log(formatHuman(report));
 */
export async function lintFiles(paths: readonly string[], options: LintOptions): Promise<LintReport> {
  const { intent } = options;
  if (!isLintIntent(intent)) {
    throw new TypeError(`lintFiles: intent must be one of ${LintIntents.join(', ')}, got ${String(intent)}`);
  }
  const files = [...new Set(paths)];
  const results = await Promise.all(files.map((file) => lintOne(file, resolve(options.cwd ?? '.', file), intent)));
  const findings = results.flatMap((result) => result.findings);

  // The push entitlement lives in a different file from the background modes; say so when it was never seen.
  const firstIos = files.find((_, index) => results[index]?.ios);
  if (intent === 'callkit' && firstIos !== undefined && !results.some((result) => result.entitlementsChecked)) {
    findings.push(createFinding('IOS_ENTITLEMENTS_NOT_CHECKED', firstIos, undefined,
      'With --intent callkit the aps-environment (push) entitlement is required, but no entitlements were linted.'));
  }

  const order = new Map(files.map((file, index) => [file, index]));
  findings.sort((a, b) =>
    (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0)
    || (a.line ?? 0) - (b.line ?? 0)
    || a.code.localeCompare(b.code));
  return {
    files,
    findings,
    errorCount: count(findings, 'error'),
    warningCount: count(findings, 'warning'),
  };
}

async function lintOne(file: string, path: string, intent: LintIntent): Promise<FileResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const reason = (code !== undefined ? READ_ERRORS[code] : undefined) ?? String(error);
    const finding = createFinding('LINT_FILE_UNREADABLE', file, undefined, `Cannot read ${file}: ${reason}.`);
    return { ios: false, entitlementsChecked: false, findings: [finding] };
  }
  return checkFile(file, detectKind(file, bytes), bytes, intent);
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};

function count(findings: readonly LintFinding[], severity: LintFinding['severity']): number {
  return findings.filter((finding) => finding.severity === severity).length;
}
