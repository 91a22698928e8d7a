import type { PushKind } from '@vigil/protocol';
import type { Logger } from '../logger.js';
import type { PushRegistrationStore } from './registration-store.js';
import { pause, retryDelay, type RetryPolicy } from './retry.js';
import type { PushNotice, PushProvider, PushRegistration, PushResult, PushStyle } from './types.js';

export type ProviderName = 'apns' | 'fcm' | 'webpush';

export function providerFor(kind: PushKind): ProviderName {
  return kind === 'apns' || kind === 'apns-voip' ? 'apns' : kind;
}

/** One push to send: a registration and the kind of push it gets. */
export interface PushTarget {
  registration: PushRegistration;
  style: PushStyle;
}

/**
 * Which registrations get which push (lifecycle.md rule 8, anchors §3.8). VoIP pushes only for
 * invites, and only to PushKit tokens: iOS ends an app that gets a VoIP push without reporting a
 * call. An identity with a PushKit token gets its invite there only (one ring, not a VoIP push and
 * an alert); without one, its APNs token gets an alert. Cancellations and signals never use PushKit.
 */
export function choosePushes(notice: PushNotice, registrations: readonly PushRegistration[], signalStyle: 'alert' | 'background'): PushTarget[] {
  const hasVoip = registrations.some((r) => r.kind === 'apns-voip');
  return registrations.flatMap((registration): PushTarget[] => {
    switch (registration.kind) {
      case 'apns-voip':
        return notice.type === 'invite' ? [{ registration, style: 'voip' }] : [];
      case 'apns':
        if (notice.type === 'invite') {
          return hasVoip ? [] : [{ registration, style: 'alert' }];
        }
        return [{ registration, style: notice.type === 'signal' ? signalStyle : 'alert' }];
      default:
        return [{ registration, style: notice.type === 'signal' ? signalStyle : 'alert' }];
    }
  });
}

/** What became of one push, for logs and tests. */
export interface PushOutcome {
  registration: PushRegistration;
  notice: PushNotice;
  style: PushStyle;
  result: PushResult;
  attempts: number;
}

/**
 * Sends pushes in the background: each to its provider, retried on 429/5xx with backoff (honouring
 * Retry-After), and a registration the provider calls dead is removed from the store. `close()`
 * stops pending retries and closes the providers' connections.
 */
export class PushSender {
  readonly #providers: Partial<Record<ProviderName, PushProvider>>;
  readonly #store: PushRegistrationStore;
  readonly #log: Logger;
  readonly #retry: RetryPolicy;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  /** Called after each push is settled (sent, given up, or removed). */
  onOutcome: (outcome: PushOutcome) => void = () => {};

  constructor(deps: { providers: Partial<Record<ProviderName, PushProvider>>; store: PushRegistrationStore; log: Logger; retry: RetryPolicy }) {
    this.#providers = deps.providers;
    this.#store = deps.store;
    this.#log = deps.log;
    this.#retry = deps.retry;
  }

  configured(kind: PushKind): boolean {
    return this.#providers[providerFor(kind)] !== undefined;
  }

  /** Starts one push per target; returns how many were started (targets without a provider are skipped). */
  send(notice: PushNotice, targets: readonly PushTarget[]): number {
    let started = 0;
    for (const target of targets) {
      const provider = this.#providers[providerFor(target.registration.kind)];
      if (this.#stop.signal.aborted) {
        break;
      }
      if (!provider) {
        // Registered while another node (or an earlier configuration) had credentials for it.
        this.#log.warn('push skipped: no provider', { kind: target.registration.kind, identity: target.registration.identity });
        continue;
      }
      started += 1;
      const task = this.#deliver(provider, notice, target).catch((err: unknown) => {
        this.#log.error('push failed', { kind: target.registration.kind, error: String(err) });
      });
      this.#inFlight.add(task);
      void task.finally(() => this.#inFlight.delete(task));
    }
    return started;
  }

  /** Resolves when every push started so far is settled (bounded by the retry policy). */
  async idle(): Promise<void> {
    for (let round = 0; round < 100 && this.#inFlight.size > 0; round += 1) {
      await Promise.all([...this.#inFlight]);
    }
  }

  /** Stops retries, closes the providers' connections (failing requests in flight), then waits for the rest. */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.all(Object.values(this.#providers).map((provider) => provider.close()));
    await this.idle();
  }

  async #deliver(provider: PushProvider, notice: PushNotice, target: PushTarget): Promise<void> {
    const { registration, style } = target;
    let result: PushResult = { ok: false, remove: false, retryable: false, reason: 'not sent' };
    let attempt = 0;
    while (attempt < this.#retry.attempts && !this.#stop.signal.aborted) {
      attempt += 1;
      result = await provider.send(registration, notice, style);
      if (result.ok || !result.retryable) {
        break;
      }
      const delay = retryDelay(this.#retry, attempt, result.retryAfterMs);
      if (delay === undefined) {
        break;
      }
      this.#log.info('push retry', { kind: registration.kind, reason: result.reason, attempt, delayMs: delay });
      await pause(delay, this.#stop.signal);
    }
    if (result.ok) {
      this.#log.debug('push sent', { kind: registration.kind, style, type: notice.type, identity: registration.identity });
    } else if (result.remove) {
      this.#log.info('push registration removed', { kind: registration.kind, identity: registration.identity, reason: result.reason });
      await this.#store.remove(registration.apiKey, registration.id);
    } else {
      this.#log.warn('push not delivered', { kind: registration.kind, identity: registration.identity, reason: result.reason, attempts: attempt });
    }
    this.onOutcome({ registration, notice, style, result, attempts: attempt });
  }
}
