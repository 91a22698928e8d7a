import { parseArgs } from 'node:util';
import { isRole, parseSessionId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import { resolveCredentials } from '../credentials.js';
import { parseDurationSeconds } from '../duration.js';
import { UsageError, type CommandIo } from './io.js';

export const tokenUsage = `vigil token --session ID [--role publisher|subscriber|publisheronly|moderator]
            [--data TEXT] [--ttl 24h] [--format jwt|t1] [--json]
  Mints a client token for a session, exactly as the OpenTok SDK's generateToken would.`;

export function runToken(argv: string[], io: CommandIo): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      session: { type: 'string' },
      role: { type: 'string', default: 'publisher' },
      data: { type: 'string' },
      ttl: { type: 'string', default: '24h' },
      format: { type: 'string', default: 'jwt' },
      json: { type: 'boolean', default: false },
      'api-key': { type: 'string' },
      'api-secret': { type: 'string' },
    },
    strict: true,
  });
  const sessionId = values.session;
  if (!sessionId) {
    throw new UsageError(`--session is required\n${tokenUsage}`);
  }
  if (!isRole(values.role)) {
    throw new UsageError(`--role must be publisher, subscriber, publisheronly or moderator (got ${values.role})`);
  }
  if (values.format !== 'jwt' && values.format !== 't1') {
    throw new UsageError('--format must be jwt or t1');
  }
  const credentials = resolveCredentials({ apiKey: values['api-key'], apiSecret: values['api-secret'] }, io.env, io.cwd, { create: false });
  const fields = parseSessionId(sessionId);
  if (!fields || fields.apiKey !== credentials.apiKey) {
    throw new UsageError(`--session is not a session id for API key ${credentials.apiKey}`);
  }
  let ttl: number;
  try {
    ttl = parseDurationSeconds(values.ttl);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const expireTime = Math.floor(Date.now() / 1000) + ttl;
  const token = mintClientToken({
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    sessionId,
    role: values.role,
    expireTime,
    format: values.format,
    ...(values.data === undefined ? {} : { data: values.data }),
  });
  io.stdout(values.json ? `${JSON.stringify({ token, sessionId, role: values.role, expireTime })}\n` : `${token}\n`);
  return 0;
}
