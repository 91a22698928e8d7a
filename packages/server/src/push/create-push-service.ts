import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SessionRegistry } from '../session-registry.js';
import { ApnsProvider } from './apns-provider.js';
import { FcmProvider } from './fcm-provider.js';
import { MemoryHeldMessageStore } from './held-store.js';
import type { PushOptions } from './push-options.js';
import { PushSender, type ProviderName } from './push-sender.js';
import { PushService } from './push-service.js';
import { MemoryPushRegistrationStore } from './registration-store.js';
import { resolveApns, resolveFcm, resolveWebPush } from './resolve-config.js';
import { DEFAULT_RETRY } from './retry.js';
import type { PushProvider } from './types.js';
import { WebPushProvider } from './webpush-provider.js';

/**
 * Builds the push service from the server's `push` options. Keys are read and checked here, at
 * startup: a bad key throws a `TypeError` naming the option, before the server listens.
 */
export function createPushService(deps: { registry: SessionRegistry; clock: Clock; log: Logger; options: PushOptions | undefined }): PushService {
  const options = deps.options ?? {};
  const now = (): number => deps.clock.now();
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const alerts = options.alerts ?? {};
  const providers: Partial<Record<ProviderName, PushProvider>> = {};
  let webPushOrigins: readonly string[] = [];
  if (options.apns) {
    providers.apns = new ApnsProvider(resolveApns(options.apns), { now, timeoutMs, alerts });
  }
  if (options.fcm) {
    providers.fcm = new FcmProvider(resolveFcm(options.fcm), { now, timeoutMs, alerts });
  }
  if (options.webPush) {
    const config = resolveWebPush(options.webPush);
    webPushOrigins = config.endpointOrigins;
    providers.webpush = new WebPushProvider(config, { now, timeoutMs, alerts });
  }
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1 || retry.attempts > 20 || !(retry.baseDelayMs >= 0) || !(retry.maxDelayMs >= retry.baseDelayMs)) {
    throw new TypeError('push.retry: attempts must be 1-20 and 0 ≤ baseDelayMs ≤ maxDelayMs');
  }
  const holdTtl = options.hold?.ttlMs;
  if (holdTtl !== undefined && (!Number.isInteger(holdTtl) || holdTtl <= 0)) {
    throw new TypeError('push.hold.ttlMs must be a positive integer (milliseconds)');
  }
  const store = options.store ?? new MemoryPushRegistrationStore();
  const held = options.heldStore ?? new MemoryHeldMessageStore(now, options.hold ?? {});
  const sender = new PushSender({ providers, store, log: deps.log, retry });
  if (Object.keys(providers).length > 0) {
    deps.log.info('push', { apns: Boolean(providers.apns), fcm: Boolean(providers.fcm), webPush: Boolean(providers.webpush) });
  }
  return new PushService({ registry: deps.registry, clock: deps.clock, log: deps.log, store, held, sender, options, webPushOrigins });
}
