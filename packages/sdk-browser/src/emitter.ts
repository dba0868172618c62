// biome-ignore lint/suspicious/noExplicitAny: listeners of different events have different parameters.
type AnyFn = (...args: any[]) => void;

/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<E extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof E, Set<AnyFn>>();

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        fn(...args);
      } catch (err) {
        // A listener's failure must not stop the others nor the client.
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}
