import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { PushOptions } from '@vigil/server';
import { UsageError } from './commands/io.js';

/** Keys a `--push-config` file may have: the JSON-expressible part of the server's `push` options. */
const KEYS = new Set(['apns', 'fcm', 'webPush', 'hold', 'inviteTtlMs', 'signalPushIntervalMs', 'signalPush', 'alerts', 'requireTokenIdentity', 'retry', 'requestTimeoutMs']);

export interface PushFlags {
  'push-config'?: string | undefined;
  'apns-url'?: string | undefined;
  'fcm-url'?: string | undefined;
  'fcm-token-url'?: string | undefined;
}

/**
 * Reads `vigil serve --push-config file.json` (docs/push.md) and applies the endpoint flags. Key
 * files named in it are relative to the file. Returns undefined when push is not configured. The keys
 * themselves are checked by the server at startup, whose errors name the option at fault.
 */
export function loadPushConfig(flags: PushFlags, cwd: string): PushOptions | undefined {
  const file = flags['push-config'];
  const endpointFlags = (['apns-url', 'fcm-url', 'fcm-token-url'] as const).filter((flag) => flags[flag] !== undefined);
  if (file === undefined) {
    if (endpointFlags.length > 0) {
      throw new UsageError(`--${endpointFlags[0] as string} needs --push-config (the credentials it goes with)`);
    }
    return undefined;
  }
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--push-config: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--push-config: ${path} is not JSON (${(err as Error).message})`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UsageError(`--push-config: ${path} must hold a JSON object`);
  }
  const unknown = Object.keys(config).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) {
    throw new UsageError(`--push-config: unknown key "${unknown[0] as string}" in ${path} (known: ${[...KEYS].join(', ')})`);
  }
  const push = config as PushOptions & Record<string, unknown>;
  const base = dirname(path);
  const relative = (value: string | undefined): string | undefined => (value === undefined || isAbsolute(value) ? value : resolve(base, value));
  if (push.apns?.keyFile !== undefined) {
    push.apns.keyFile = relative(push.apns.keyFile) as string;
  }
  if (push.fcm?.serviceAccountFile !== undefined) {
    push.fcm.serviceAccountFile = relative(push.fcm.serviceAccountFile) as string;
  }
  const section = (name: 'apns' | 'fcm', flag: string): Record<string, unknown> => {
    const value = push[name];
    if (value === undefined) {
      throw new UsageError(`--${flag} needs an "${name}" section in ${path}`);
    }
    return value as unknown as Record<string, unknown>;
  };
  if (flags['apns-url'] !== undefined) {
    section('apns', 'apns-url')['url'] = flags['apns-url'];
  }
  if (flags['fcm-url'] !== undefined) {
    section('fcm', 'fcm-url')['url'] = flags['fcm-url'];
  }
  if (flags['fcm-token-url'] !== undefined) {
    section('fcm', 'fcm-token-url')['tokenUrl'] = flags['fcm-token-url'];
  }
  return push;
}

/** One line for the startup banner: which push services are on. */
export function describePush(push: PushOptions | undefined): string {
  const on = [push?.apns && `APNs (${push.apns.url ?? 'https://api.push.apple.com'})`, push?.fcm && 'FCM', push?.webPush && 'Web Push'].filter(Boolean);
  return on.length === 0 ? 'off (--push-config to enable)' : on.join(', ');
}
