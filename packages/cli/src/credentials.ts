import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Credentials {
  apiKey: string;
  apiSecret: string;
  /** Where they came from, for the startup banner. */
  source: 'flags' | 'environment' | 'file' | 'generated';
  file?: string;
}

/** The dev credentials file, kept out of git by `.gitignore` (`.vigil/`). */
export function credentialsFile(cwd: string): string {
  return join(cwd, '.vigil', 'credentials.json');
}

/**
 * Flags win, then `VIGIL_API_KEY` / `VIGIL_API_SECRET`, then the local file; with none of them, a new
 * pair is generated and saved so the dev key stays the same across restarts. Keys are numeric strings
 * (the .NET SDK types the key as an int) and secrets 40 hex characters (opentok-rest.md §1).
 */
export function resolveCredentials(
  flags: { apiKey?: string | undefined; apiSecret?: string | undefined },
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { create?: boolean } = {},
): Credentials {
  if (flags.apiKey || flags.apiSecret) {
    return requirePair(flags.apiKey, flags.apiSecret, 'flags', '--api-key and --api-secret');
  }
  if (env['VIGIL_API_KEY'] || env['VIGIL_API_SECRET']) {
    return requirePair(env['VIGIL_API_KEY'], env['VIGIL_API_SECRET'], 'environment', 'VIGIL_API_KEY and VIGIL_API_SECRET');
  }
  const file = credentialsFile(cwd);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    let parsed: { apiKey?: unknown; apiSecret?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`${file} is not valid JSON; delete it to generate new dev credentials`);
    }
    if (typeof parsed.apiKey !== 'string' || typeof parsed.apiSecret !== 'string') {
      throw new Error(`${file} needs string "apiKey" and "apiSecret"; delete it to generate new ones`);
    }
    return { apiKey: parsed.apiKey, apiSecret: parsed.apiSecret, source: 'file', file };
  }
  if (options.create === false) {
    throw new Error(`No credentials: pass --api-key/--api-secret, set VIGIL_API_KEY/VIGIL_API_SECRET, or run \`vigil serve\` once here to create ${file}`);
  }
  const generated = { apiKey: String(randomInt(10_000_000, 99_999_999)), apiSecret: randomBytes(20).toString('hex') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  return { ...generated, source: 'generated', file };
}

function requirePair(apiKey: string | undefined, apiSecret: string | undefined, source: Credentials['source'], names: string): Credentials {
  if (!apiKey || !apiSecret) {
    throw new Error(`Both ${names} are needed`);
  }
  return { apiKey, apiSecret, source };
}
