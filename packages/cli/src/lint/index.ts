/**
 * `vigil lint`: checks an app's background-mode configuration (iOS Info.plist and entitlements, Expo
 * app.json / app.config.*, AndroidManifest.xml) against what it does in the background. Rules and codes are
 * listed in `docs/lint.md`; the design is in lifecycle.md, "Background modes and app configuration".
 *
 * @example
 * import { lintFiles, formatHuman, runLintCommand } from './lint/index.js';
 * const report = await lintFiles(['ios/App/Info.plist'], { intent: 'audio-video-call' });
 * process.stdout.write(formatHuman(report));
 * // or, for the CLI: process.exitCode = await runLintCommand(argv.slice(1), { stdout, stderr });
 * @module
 */

// Running the checker.
export { lintFiles } from './lint-files.js';
export type { LintOptions } from './lint-files.js';
export { runLintCommand, LintExitCode, LINT_USAGE } from './command.js';
export type { LintCommandIo } from './command.js';
export { discoverConfigFiles } from './discover.js';

// Output.
export { formatHuman, formatJson } from './format.js';

// Intents, findings and the rule table.
export { LintIntents, LintSeverities, isLintIntent } from './types.js';
export type { LintIntent, LintSeverity, LintFinding, LintReport } from './types.js';
export { LintRules, isLintCode } from './rules.js';
export type { LintCode, LintRule } from './rules.js';
