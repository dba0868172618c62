/**
 * Runs `work` when asked. Asking while it runs does not start a second run: it asks for one
 * more run after the current one, however many times it was asked meanwhile. Callers that await
 * the request see the run that will include what they asked for (or the current one).
 */
export class CoalescedRunner {
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  /** `work` must not throw: it reports its own failures. */
  constructor(private readonly work: () => Promise<void>) {}

  get closed(): boolean {
    return this.#closed;
  }

  request(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.work();
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** No new runs; resolves when the current one is over. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
