import { HttpError, NetworkError, StreamMalformedError, StreamStalledError, type VexilError } from '../errors.js';
import type { Logger } from '../options.js';
import { Backoff } from './backoff.js';
import { errorOfFetch, errorOfResponse, fetchWithTimeout, Sleeper } from './http.js';
import { type SseMessage, SseParser } from './sse-parser.js';

export interface StreamingCallbacks {
  /** 200 with an event stream: the connection is up. */
  opened(): void;
  /** A complete event. An error return means its data is unusable: the connection is restarted. */
  event(message: SseMessage): VexilError | undefined;
  /** The first valid event or heartbeat of a connection: the stream demonstrably works. */
  proven(): void;
  /** The connection failed or ended; `willRetry` is false when the failure is final (401/403). */
  failed(err: VexilError, willRetry: boolean): void;
  /** The Last-Event-ID to resume from (the sequence number of the flags held). */
  lastEventId(): string | undefined;
}

export interface StreamingOptions {
  url: string;
  headers: Record<string, string>;
  requestTimeoutMs: number;
  readTimeoutMs: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  backoffResetMs: number;
  logger: Logger;
  random?: () => number;
}

/**
 * GET /sdk/v1/stream over fetch, parsed by hand (no EventSource): reconnects with exponential
 * backoff and jitter, resuming with Last-Event-ID; restarts on malformed events; and treats a
 * stream on which nothing arrives for `readTimeoutMs` (no event, no `: ping` heartbeat) as stalled.
 */
export class StreamingSource {
  #stopped = true;
  #controller: AbortController | undefined;
  readonly #sleeper = new Sleeper();
  readonly #backoff: Backoff;
  #loop: Promise<void> | undefined;
  /** Connections opened, for diagnostics and tests. */
  connections = 0;

  constructor(
    private readonly opts: StreamingOptions,
    private readonly cb: StreamingCallbacks,
  ) {
    this.#backoff = new Backoff(opts.initialRetryDelayMs, opts.maxRetryDelayMs, opts.backoffResetMs, opts.random);
  }

  get running(): boolean {
    return !this.#stopped;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  /** Stops at once: the open connection is aborted and no retry follows. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.cancel();
    this.#controller?.abort(new NetworkError('stream stopped'));
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const err = await this.#connect();
      if (this.#stopped) return;
      const final = !err.retryable;
      this.cb.failed(err, !final);
      if (final) {
        this.#stopped = true;
        return;
      }
      let delay = this.#backoff.next();
      if (err instanceof HttpError && err.retryAfterSeconds !== undefined)
        delay = Math.max(delay, Math.min(err.retryAfterSeconds * 1000, this.opts.maxRetryDelayMs * 10));
      this.opts.logger.debug(`stream: ${err.message}; reconnecting in ${delay} ms`);
      await this.#sleeper.sleep(delay);
    }
  }

  /** One connection, from request to end; resolves with what ended it. */
  async #connect(): Promise<VexilError> {
    const controller = new AbortController();
    this.#controller = controller;
    const headers: Record<string, string> = {
      ...this.opts.headers,
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
    };
    const lastEventId = this.cb.lastEventId();
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    let res: Response;
    try {
      res = await fetchWithTimeout(this.opts.url, { headers }, controller, this.opts.requestTimeoutMs, 'stream');
    } catch (err) {
      return err as VexilError;
    }
    if (res.status !== 200) {
      res.body?.cancel().catch(() => {});
      return errorOfResponse(res, 'stream');
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('text/event-stream') || !res.body) {
      res.body?.cancel().catch(() => {});
      return new StreamMalformedError(`stream: content-type "${type}", not text/event-stream`);
    }
    this.connections++;
    this.#backoff.connected();
    this.cb.opened();

    let proven = false;
    let failure: VexilError | undefined;
    const prove = () => {
      if (proven) return;
      proven = true;
      this.cb.proven();
    };
    const parser = new SseParser({
      event: (m) => {
        if (failure) return;
        const err = this.cb.event(m);
        if (err) failure = err;
        else prove();
      },
      comment: prove,
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const readTimeoutMs = this.opts.readTimeoutMs;
    // Any bytes count as life; a healthy server sends at least a heartbeat every 15 s.
    const idle = setTimeout(() => controller.abort(new StreamStalledError(readTimeoutMs)), readTimeoutMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return new NetworkError('stream: the server closed the connection');
        idle.refresh();
        try {
          parser.feed(decoder.decode(value, { stream: true }));
        } catch (err) {
          failure ??= new StreamMalformedError(`stream: ${(err as Error).message}`);
        }
        if (failure) return failure;
      }
    } catch (err) {
      return errorOfFetch(err, controller.signal, 'stream');
    } finally {
      clearTimeout(idle);
      // Releases the socket; an incomplete event left in the parser is dropped with it.
      if (!controller.signal.aborted) controller.abort(new NetworkError('stream: connection released'));
      reader.cancel().catch(() => {});
    }
  }
}
