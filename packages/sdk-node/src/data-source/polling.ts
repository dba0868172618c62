import { InvalidDataError, type VexilError } from '../errors.js';
import type { Logger } from '../options.js';
import { errorOfFetch, errorOfResponse, fetchWithTimeout, Sleeper } from './http.js';

export interface PollingCallbacks {
  /** A new snapshot (parsed JSON). An error return means its content is unusable. */
  snapshot(body: unknown): VexilError | undefined;
  /** 304: the flags held are current. */
  unchanged(): void;
  /** The request failed; `final` for a refused key (polling stops). */
  failed(err: VexilError, final: boolean): void;
}

export interface PollingOptions {
  url: string;
  headers: Record<string, string>;
  intervalMs: number;
  requestTimeoutMs: number;
  logger: Logger;
}

/**
 * GET /sdk/v1/flags every `intervalMs`, with If-None-Match so that an unchanged environment
 * costs a 304 (and gzip, which fetch negotiates and decodes).
 */
export class PollingSource {
  #stopped = true;
  #etag: string | undefined;
  #controller: AbortController | undefined;
  readonly #sleeper = new Sleeper();
  #loop: Promise<void> | undefined;
  /** Requests made, for diagnostics and tests. */
  requests = 0;

  constructor(
    private readonly opts: PollingOptions,
    private readonly cb: PollingCallbacks,
  ) {}

  get running(): boolean {
    return !this.#stopped;
  }

  /** Starts polling, with a first request at once. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.cancel();
    this.#controller?.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const final = await this.#poll();
      if (final || this.#stopped) {
        this.#stopped = true;
        return;
      }
      await this.#sleeper.sleep(this.opts.intervalMs);
    }
  }

  /** One request; resolves true when polling must stop for good. */
  async #poll(): Promise<boolean> {
    const controller = new AbortController();
    this.#controller = controller;
    this.requests++;
    const headers: Record<string, string> = { ...this.opts.headers, accept: 'application/json' };
    if (this.#etag) headers['if-none-match'] = this.#etag;
    let err: VexilError | undefined;
    try {
      const res = await fetchWithTimeout(this.opts.url, { headers }, controller, this.opts.requestTimeoutMs, 'poll');
      if (this.#stopped) return true;
      if (res.status === 304) {
        this.cb.unchanged();
        return false;
      }
      if (res.status !== 200) {
        res.body?.cancel().catch(() => {});
        err = errorOfResponse(res, 'poll');
      } else {
        let body: unknown;
        try {
          // The body is read under the same deadline as the headers, restarted.
          const timer = setTimeout(() => controller.abort(), this.opts.requestTimeoutMs);
          try {
            body = await res.json();
          } finally {
            clearTimeout(timer);
          }
        } catch (e) {
          err = controller.signal.aborted
            ? errorOfFetch(e, controller.signal, 'poll')
            : new InvalidDataError(`poll: the response is not JSON (${(e as Error).message})`);
        }
        if (!err) {
          err = this.cb.snapshot(body);
          if (!err) this.#etag = res.headers.get('etag') ?? undefined;
        }
      }
    } catch (e) {
      if (this.#stopped) return true;
      err = e as VexilError;
    }
    if (!err) return false;
    const final = !err.retryable;
    this.cb.failed(err, final);
    return final;
  }
}
