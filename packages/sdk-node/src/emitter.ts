/**
 * A minimal typed event emitter whose listeners cannot hurt the SDK: a listener that throws is
 * reported to `onListenerError` and the others still run. (Node's EventEmitter would throw an
 * `error` event nobody listens to into the caller, here the SDK's own network code.)
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  once<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): void {
    const set = this.#listeners.get(event);
    set?.delete(listener as (payload: never) => void);
    if (set?.size === 0) this.#listeners.delete(event);
  }

  has(event: keyof Events): boolean {
    return this.#listeners.has(event);
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (payload: Events[E]) => void)(payload);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
