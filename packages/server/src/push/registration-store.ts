import type { PushRegistration } from './types.js';

/**
 * Where push registrations live. Async and minimal so a shared store (Redis) can stand in for the
 * in-memory one; `id` is unique per API key and derived from the credential, so `put` of a device
 * token that moved to another identity (a new user logged in on the device) moves it.
 */
export interface PushRegistrationStore {
  /** Adds the registration, or replaces the one with the same `apiKey` and `id`. */
  put(registration: PushRegistration): Promise<void>;
  /** The identity's registrations, oldest first. */
  list(apiKey: string, identity: string): Promise<PushRegistration[]>;
  /** Forgets one registration; false when there was none. */
  remove(apiKey: string, id: string): Promise<boolean>;
}

export interface MemoryStoreLimits {
  /** Devices kept per identity; registering one more forgets the oldest. Default 20. */
  maxPerIdentity?: number;
  /** Registrations kept in all; past it the oldest are forgotten. Default 100 000. */
  maxTotal?: number;
}

/** The default store: one process, nothing persisted. Bounded by count. */
export class MemoryPushRegistrationStore implements PushRegistrationStore {
  /** `apiKey \0 id` → registration, in insertion order (oldest first). */
  readonly #byId = new Map<string, PushRegistration>();
  /** `apiKey \0 identity` → registration ids, oldest first. */
  readonly #byIdentity = new Map<string, string[]>();
  readonly #maxPerIdentity: number;
  readonly #maxTotal: number;

  constructor(limits: MemoryStoreLimits = {}) {
    this.#maxPerIdentity = limits.maxPerIdentity ?? 20;
    this.#maxTotal = limits.maxTotal ?? 100_000;
  }

  async put(registration: PushRegistration): Promise<void> {
    this.#delete(registration.apiKey, registration.id);
    this.#byId.set(key(registration.apiKey, registration.id), { ...registration });
    const identityKey = key(registration.apiKey, registration.identity);
    const ids = [...(this.#byIdentity.get(identityKey) ?? []), registration.id];
    this.#byIdentity.set(identityKey, ids);
    // Oldest devices first; `#delete` rewrites the identity's list, so each round starts from the map.
    for (const id of ids.slice(0, Math.max(0, ids.length - this.#maxPerIdentity))) {
      this.#delete(registration.apiKey, id);
    }
    // Maps keep insertion order: the first entries are the oldest. Only the excess is visited.
    for (const oldest of this.#byId.values()) {
      if (this.#byId.size <= this.#maxTotal) {
        break;
      }
      this.#delete(oldest.apiKey, oldest.id);
    }
  }

  async list(apiKey: string, identity: string): Promise<PushRegistration[]> {
    const ids = this.#byIdentity.get(key(apiKey, identity)) ?? [];
    return ids.flatMap((id) => {
      const found = this.#byId.get(key(apiKey, id));
      return found ? [{ ...found }] : [];
    });
  }

  async remove(apiKey: string, id: string): Promise<boolean> {
    return this.#delete(apiKey, id);
  }

  get size(): number {
    return this.#byId.size;
  }

  #delete(apiKey: string, id: string): boolean {
    const idKey = key(apiKey, id);
    const existing = this.#byId.get(idKey);
    if (!existing) {
      return false;
    }
    this.#byId.delete(idKey);
    const identityKey = key(apiKey, existing.identity);
    const ids = (this.#byIdentity.get(identityKey) ?? []).filter((other) => other !== id);
    if (ids.length === 0) {
      this.#byIdentity.delete(identityKey);
    } else {
      this.#byIdentity.set(identityKey, ids);
    }
    return true;
  }
}

function key(a: string, b: string): string {
  return `${a}\0${b}`;
}
