import { createRequire } from 'node:module';

/** The SDK's node-style callback: an error first, then whatever the method yields. */
export type SdkCallback = (error: Error | null, ...values: unknown[]) => void;

/** The parts of the official `opentok` SDK (2.23.2, CommonJS) the tests call by name. */
export interface OpenTokSdk {
  readonly apiUrl: string;
  createSession(options: Record<string, unknown>, callback: SdkCallback): void;
  generateToken(sessionId: string, options?: Record<string, unknown>, t1?: boolean): string;
  signal(sessionId: string, connectionId: string | null, payload: unknown, callback: SdkCallback): void;
  forceDisconnect(sessionId: string, connectionId: string, callback: SdkCallback): void;
  [method: string]: unknown;
}

type OpenTokConstructor = new (apiKey: string | number, apiSecret: string, env?: string | { apiUrl: string }) => OpenTokSdk;

/** The unmodified official SDK, pinned in the root package.json. */
export function createOpenTok(apiKey: string | number, apiSecret: string, env?: string | { apiUrl: string }): OpenTokSdk {
  const OpenTok = createRequire(import.meta.url)('opentok') as OpenTokConstructor;
  return new OpenTok(apiKey, apiSecret, env);
}

/** What one SDK call produced: its first callback (the SDK may call back twice; later calls are counted). */
export interface SdkOutcome {
  error: Error | null;
  values: unknown[];
  /** Times the callback ran by the time the outcome was read. */
  calls: () => number;
}

/**
 * Runs one SDK call with a deadline (the SDK has no request timeout, P11) and resolves with its first
 * callback instead of asserting inside it: a throwing callback makes the SDK call it again and can
 * crash the process (P3). A synchronous throw (argument errors) resolves as the error.
 */
export function callSdk(label: string, invoke: (callback: SdkCallback) => void, timeoutMs = 10_000): Promise<SdkOutcome> {
  return new Promise((resolve, reject) => {
    let calls = 0;
    const deadline = setTimeout(() => reject(new Error(`${label}: no callback within ${timeoutMs} ms`)), timeoutMs);
    const settle = (error: Error | null, values: unknown[]): void => {
      calls += 1;
      if (calls === 1) {
        clearTimeout(deadline);
        resolve({ error, values, calls: () => calls });
      }
    };
    try {
      invoke((error, ...values) => settle(error, values));
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)), []);
    }
  });
}

/** Calls `ot[method](...args, callback)` through `callSdk`. */
export function callSdkMethod(ot: OpenTokSdk, method: string, ...args: unknown[]): Promise<SdkOutcome> {
  const fn = ot[method];
  if (typeof fn !== 'function') {
    throw new TypeError(`The opentok SDK has no method ${method}`);
  }
  return callSdk(method, (callback) => {
    (fn as (...a: unknown[]) => void).call(ot, ...args, callback);
  });
}

/**
 * Records unhandled promise rejections until `stop()`: with a listener installed Node does not exit,
 * so a test can assert that an SDK call did not crash what would have been the app server's process.
 */
export function watchUnhandledRejections(): { readonly seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}
