/**
 * Reconnection delays: exponential (initial × 2^attempt, capped) with "equal jitter": each delay
 * is drawn from [half, full) of its step, so that many SDKs cut off at once do not come back
 * at once, while no delay collapses to zero. A connection that stayed up long enough resets it.
 */
export class Backoff {
  #attempt = 0;
  #connectedAt: number | undefined;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly resetAfterMs: number,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt. */
  next(): number {
    if (this.#connectedAt !== undefined && this.now() - this.#connectedAt >= this.resetAfterMs) this.#attempt = 0;
    this.#connectedAt = undefined;
    const step = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  /** A connection was established now; if it lasts resetAfterMs, the next delay starts over. */
  connected(): void {
    this.#connectedAt = this.now();
  }

  reset(): void {
    this.#attempt = 0;
    this.#connectedAt = undefined;
  }
}
