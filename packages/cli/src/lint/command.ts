import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { discoverConfigFiles } from './discover.js';
import { formatHuman, formatJson } from './format.js';
import { lintFiles } from './lint-files.js';
import { isLintIntent, LintIntents, type LintIntent } from './types.js';

/** Where `runLintCommand` writes; `cwd` (default `process.cwd()`) is where files are looked for. */
export interface LintCommandIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd?: string | undefined;
}

/** Exit codes of `vigil lint`. */
export const LintExitCode = { Ok: 0, Errors: 1, Usage: 2 } as const;

export const LINT_USAGE = `Usage: vigil lint [--intent audio-video-call|callkit] [--json] [file|directory ...]

Checks an iOS Info.plist (XML or binary) and .entitlements, an Expo app.json / app.config.*, and an
AndroidManifest.xml against what the app does in the background.

  --intent audio-video-call   calls while the app is in use or just backgrounded (default):
                              iOS "audio" mode without "voip"; Android camera|microphone service
  --intent callkit            incoming calls through CallKit/PushKit and Android Telecom:
                              "voip" mode and the push entitlement; Android phoneCall service too
  --json                      print the report as JSON
  -h, --help                  show this help

Without files, looks in the current directory for ios/*/Info.plist, ios/*/*.entitlements, app.json,
app.config.*, and android/app/src/main/AndroidManifest.xml; a directory argument is searched the same way.
Exit code: 0 no errors, 1 errors found, 2 usage error. Rules: docs/lint.md.
`;

interface ParsedArgs {
  readonly intent: LintIntent;
  readonly json: boolean;
  readonly help: boolean;
  readonly paths: readonly string[];
}

/**
 * Runs `vigil lint` with the arguments after `lint`. Never throws for bad input: usage problems print a
 * message and the usage to stderr and return 2.
 *
 * @example
 * const code = await runLintCommand(['--intent', 'callkit', 'ios/App/Info.plist'], {
 *   stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s),
 * });
 */
export async function runLintCommand(argv: readonly string[], io: LintCommandIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.stderr(`vigil lint: ${parsed}\n\n${LINT_USAGE}`);
    return LintExitCode.Usage;
  }
  if (parsed.help) {
    io.stdout(LINT_USAGE);
    return LintExitCode.Ok;
  }
  const cwd = resolve(io.cwd ?? process.cwd());
  const files = await expand(parsed.paths, cwd);
  if (typeof files === 'string') {
    io.stderr(`vigil lint: ${files}\n\n${LINT_USAGE}`);
    return LintExitCode.Usage;
  }
  const report = await lintFiles(files, { intent: parsed.intent, cwd });
  io.stdout(parsed.json ? formatJson(report) : formatHuman(report));
  return report.errorCount > 0 ? LintExitCode.Errors : LintExitCode.Ok;
}

/** The parsed arguments, or a usage error message. */
function parseArgs(argv: readonly string[]): ParsedArgs | string {
  let intent: LintIntent = 'audio-video-call';
  let json = false;
  let help = false;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--intent' || arg.startsWith('--intent=')) {
      const value = arg === '--intent' ? argv[++i] : arg.slice('--intent='.length);
      if (value === undefined || value === '') return `--intent needs a value (${LintIntents.join(' or ')})`;
      if (!isLintIntent(value)) return `unknown intent "${value}" (expected ${LintIntents.join(' or ')})`;
      intent = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      return `unknown option ${arg}`;
    } else paths.push(arg);
  }
  return { intent, json, help, paths };
}

/**
 * Turns the arguments into the files to lint: files stay as given, directories (and no argument at all,
 * meaning the working directory) are searched. Discovered paths are shown relative to the working directory.
 */
async function expand(paths: readonly string[], cwd: string): Promise<string[] | string> {
  if (paths.length === 0) {
    const found = await discoverConfigFiles(cwd);
    if (found.length === 0) return `no files given, and no ${KINDS} found in ${cwd}`;
    return found.map((file) => display(file, cwd));
  }
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const isDirectory = await stat(absolute).then((s) => s.isDirectory(), () => false);
    if (!isDirectory) {
      files.push(path); // missing files are reported as LINT_FILE_UNREADABLE findings, with the others checked
      continue;
    }
    const found = await discoverConfigFiles(absolute);
    if (found.length === 0) return `no ${KINDS} found in ${path}`;
    files.push(...found.map((file) => display(file, cwd)));
  }
  return files;
}

const KINDS = 'Info.plist, .entitlements, app.json, app.config.* or AndroidManifest.xml';

function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith(`..${sep}`) ? file : rel;
}
