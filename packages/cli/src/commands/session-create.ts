import { parseArgs } from 'node:util';
import { createSessionId } from '@vigil/protocol';
import { resolveCredentials } from '../credentials.js';
import { UsageError, type CommandIo } from './io.js';

export const sessionUsage = `vigil session create [--media-mode relayed|routed] [--json]
  Prints a new session id for this server's API key. Session ids are self-describing, so the
  server need not be running; clients join with a token from \`vigil token\`.`;

export function runSession(argv: string[], io: CommandIo): number {
  const [sub, ...rest] = argv;
  if (sub !== 'create') {
    throw new UsageError(sessionUsage);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      'media-mode': { type: 'string', default: 'relayed' },
      json: { type: 'boolean', default: false },
      'api-key': { type: 'string' },
      'api-secret': { type: 'string' },
    },
    strict: true,
  });
  const mediaMode = values['media-mode'];
  if (mediaMode !== 'relayed' && mediaMode !== 'routed') {
    throw new UsageError('--media-mode must be relayed or routed');
  }
  const { apiKey } = resolveCredentials({ apiKey: values['api-key'], apiSecret: values['api-secret'] }, io.env, io.cwd);
  const sessionId = createSessionId({ apiKey, mediaMode });
  io.stdout(values.json ? `${JSON.stringify({ sessionId, mediaMode, apiKey })}\n` : `${sessionId}\n`);
  return 0;
}
