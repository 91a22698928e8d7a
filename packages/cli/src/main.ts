import { UsageError, type CommandIo } from './commands/io.js';
import { runServe, serveUsage, stopOnSignals } from './commands/serve.js';
import { runSession, sessionUsage } from './commands/session-create.js';
import { runToken, tokenUsage } from './commands/token.js';

const usage = `Usage: vigil <command> [options]

Commands:
  ${serveUsage.replace(/\n/g, '\n  ')}

  ${sessionUsage.replace(/\n/g, '\n  ')}

  ${tokenUsage.replace(/\n/g, '\n  ')}

  vigil lint [--intent audio-video-call|callkit] [--json] [files...]
    Checks an app's background-mode configuration (Info.plist, app.json, AndroidManifest.xml).

Credentials: --api-key/--api-secret, else VIGIL_API_KEY/VIGIL_API_SECRET, else .vigil/credentials.json
(created by the first \`vigil serve\`).
`;

/**
 * Runs one CLI command. Returns the exit code, or `undefined` for `serve`, which keeps running until
 * a signal stops it.
 */
export async function main(argv: string[], io: CommandIo): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const server = await runServe(rest, io);
        stopOnSignals(server, io);
        return undefined;
      }
      case 'token':
        return runToken(rest, io);
      case 'session':
        return runSession(rest, io);
      case 'lint': {
        const { runLintCommand } = await import('./lint/index.js');
        return await runLintCommand(rest, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(usage);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}"\n\n${usage}`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`vigil: ${(err as Error).message}\n`);
      return 2;
    }
    io.stderr(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
