import type { Emitter } from '@vigil/client';

/**
 * Resolves with the next `type` event (optionally the next one matching `where`), or rejects after
 * `timeoutMs` naming the event it waited for. Tests wait on events, never on sleeps.
 */
export function nextEvent<E extends object, K extends keyof E>(
  source: Emitter<E>,
  type: K,
  options: { timeoutMs?: number; where?: (payload: E[K]) => boolean } = {},
): Promise<E[K]> {
  const { timeoutMs = 5_000, where } = options;
  return new Promise((resolve, reject) => {
    const listener = (payload: E[K]): void => {
      if (where && !where(payload)) {
        source.once(type, listener);
        return;
      }
      clearTimeout(timer);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      source.off(type, listener);
      reject(new Error(`nextEvent: no "${String(type)}" within ${timeoutMs} ms`));
    }, timeoutMs);
    source.once(type, listener);
  });
}

/** Collects every `type` event into an array, for later assertions. */
export function recordEvents<E extends object, K extends keyof E>(
  source: Emitter<E>,
  type: K,
): E[K][] {
  const seen: E[K][] = [];
  source.on(type, (payload) => seen.push(payload));
  return seen;
}

/** Polls `check` every `intervalMs` until it returns true, or throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) {
      return;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`waitUntil: ${what} not true within ${timeoutMs} ms`);
}
