type Listener<T> = (payload: T) => void;

/**
 * A typed event emitter with no platform dependency (browsers, React Native, Node). One payload object
 * per event. A listener that throws never breaks the SDK: the error is handed to `onListenerError`.
 */
export class Emitter<E extends object> {
  /** Type-only: lets helpers infer an emitter's event map (`S extends Emitter<infer E>`). */
  declare readonly '~events'?: E;
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();
  /** Where listener exceptions go; the Session reports them as `exception` events. */
  protected onListenerError(error: unknown, event: string): void {
    queueMicrotask(() => {
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), { vigilEvent: event });
    });
  }

  on<K extends keyof E>(type: K, listener: Listener<E[K]>): this {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as Listener<never>);
    return this;
  }

  once<K extends keyof E>(type: K, listener: Listener<E[K]>): this {
    const wrapper: Listener<E[K]> = (payload) => {
      this.off(type, wrapper);
      listener(payload);
    };
    return this.on(type, wrapper);
  }

  off<K extends keyof E>(type: K, listener?: Listener<E[K]>): this {
    if (listener) {
      this.#listeners.get(type)?.delete(listener as Listener<never>);
    } else {
      this.#listeners.delete(type);
    }
    return this;
  }

  protected emit<K extends keyof E>(type: K, payload: E[K]): void {
    const set = this.#listeners.get(type);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(payload);
      } catch (error) {
        this.onListenerError(error, String(type));
      }
    }
  }
}
