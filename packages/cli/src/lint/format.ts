import type { LintReport } from './types.js';

/**
 * Human output: one line per finding, `file:line  severity  CODE  message — fix`, in the report's order
 * (file, then line), then a one-line summary. The `file:line` prefix is what terminals and editors turn into
 * a link, so it comes first and has no decoration.
 *
 * @example
 * ios/App/Info.plist:12  error  IOS_VOIP_WITHOUT_CALLKIT  UIBackgroundModes contains "voip" … — Remove …
 * 1 file checked: 1 error, 0 warnings, 0 info.
 */
export function formatHuman(report: LintReport): string {
  const lines = report.findings.map((finding) => {
    const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
    return `${where}  ${finding.severity}  ${finding.code}  ${finding.message} — ${finding.fix}`;
  });
  const infoCount = report.findings.length - report.errorCount - report.warningCount;
  const files = `${report.files.length} ${report.files.length === 1 ? 'file' : 'files'} checked`;
  lines.push(
    report.findings.length === 0
      ? `${files}: no problems found.`
      : `${files}: ${plural(report.errorCount, 'error')}, ${plural(report.warningCount, 'warning')}, `
        + `${infoCount} info.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Machine output for `--json`: the report as is (`files`, `findings`, `errorCount`, `warningCount`), pretty
 * printed, with a trailing newline. Field names and codes are stable; tools should key on `code`, not `message`.
 */
export function formatJson(report: LintReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
