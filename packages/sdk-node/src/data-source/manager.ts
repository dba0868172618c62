import { StreamMalformedError, type VexilError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { DataSourceState } from '../status.js';
import { sdkHeaders } from './http.js';
import { PollingSource } from './polling.js';
import { StreamingSource } from './streaming.js';

/** Where the data sources deliver: the client, which applies data to its store. */
export interface DataSink {
  /** A full snapshot (stream `put` or a poll). An error return: the data is unusable. */
  put(body: unknown, via: 'stream' | 'poll'): VexilError | undefined;
  /** A stream `patch`, with the event's sequence number. */
  patch(body: unknown, seq: number | undefined): VexilError | undefined;
  /** A stream `delete`. */
  remove(body: unknown, seq: number | undefined): VexilError | undefined;
  /** The sequence number of the flags held (Last-Event-ID). */
  seq(): number | undefined;
  state(state: DataSourceState, err?: VexilError): void;
  /** A poll answered 304: the flags held are current. */
  confirmed(): void;
  /** A problem that does not change the state. */
  error(err: VexilError): void;
}

const seqOf = (id: string | undefined) => (id !== undefined && /^\d{1,15}$/.test(id) ? Number(id) : undefined);

/**
 * Streaming first: after `streamFailuresBeforePolling` consecutive stream failures it also polls
 * (level 1) while the stream keeps retrying with backoff; as soon as the stream works again
 * (a valid event or a heartbeat) polling stops (level 0). In polling mode only polls.
 */
export class DataSourceManager {
  readonly #stream: StreamingSource | undefined;
  readonly #poll: PollingSource;
  #streamOpen = false;
  #failures = 0;
  #stopped = false;

  constructor(
    mode: 'streaming' | 'polling',
    private readonly opts: ResolvedOptions,
    sdkKey: string,
    private readonly sink: DataSink,
  ) {
    const headers = sdkHeaders(sdkKey);
    this.#poll = new PollingSource(
      {
        url: `${opts.baseUrl}/sdk/v1/flags`,
        headers,
        intervalMs: opts.pollIntervalMs,
        requestTimeoutMs: opts.requestTimeoutMs,
        logger: opts.logger,
      },
      {
        snapshot: (body) => {
          // The state first, so that the `ready` the data may trigger reports level 1 (a bad body turns it to interrupted).
          if (!this.#streamOpen) sink.state('polling');
          return sink.put(body, 'poll');
        },
        unchanged: () => {
          sink.confirmed();
          if (!this.#streamOpen) sink.state('polling');
        },
        failed: (err, final) => {
          if (final) return this.#final(err);
          if (this.#streamOpen) sink.error(err);
          else sink.state('interrupted', err);
        },
      },
    );
    if (mode === 'streaming')
      this.#stream = new StreamingSource(
        {
          url: `${opts.baseUrl}/sdk/v1/stream`,
          headers,
          requestTimeoutMs: opts.requestTimeoutMs,
          readTimeoutMs: opts.streamReadTimeoutMs,
          initialRetryDelayMs: opts.streamInitialRetryDelayMs,
          maxRetryDelayMs: opts.streamMaxRetryDelayMs,
          backoffResetMs: opts.streamBackoffResetMs,
          logger: opts.logger,
        },
        {
          opened: () => {
            this.#streamOpen = true;
            sink.state('streaming');
          },
          event: (m) => this.#event(m.event, m.data, m.id),
          proven: () => {
            this.#failures = 0;
            if (this.#poll.running) {
              opts.logger.info('stream recovered: polling stops');
              void this.#poll.stop();
            }
          },
          failed: (err, willRetry) => {
            this.#streamOpen = false;
            if (!willRetry) return this.#final(err);
            this.#failures++;
            if (this.#poll.running) sink.error(err);
            else sink.state('interrupted', err);
            if (this.#failures >= opts.streamFailuresBeforePolling && !this.#poll.running && !this.#stopped) {
              opts.logger.warn(
                `stream failed ${this.#failures} times in a row (${err.message}); polling until it recovers`,
              );
              this.#poll.start();
            }
          },
          lastEventId: () => {
            const seq = sink.seq();
            return seq === undefined ? undefined : String(seq);
          },
        },
      );
  }

  /** Connections and requests made so far, for diagnostics. */
  stats(): { streamConnections: number; pollRequests: number; polling: boolean; streaming: boolean } {
    return {
      streamConnections: this.#stream?.connections ?? 0,
      pollRequests: this.#poll.requests,
      polling: this.#poll.running,
      streaming: this.#streamOpen,
    };
  }

  start(): void {
    if (this.#stream) this.#stream.start();
    else this.#poll.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.#stream?.stop(), this.#poll.stop()]);
  }

  #final(err: VexilError): void {
    this.opts.logger.error(`${err.message}; the SDK stops asking and serves what it has`);
    void this.stop();
    this.sink.state('failed', err);
  }

  #event(type: string, data: string, id: string | undefined): VexilError | undefined {
    if (type !== 'put' && type !== 'patch' && type !== 'delete') return undefined; // unknown events: ignored
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      return new StreamMalformedError(`stream: the ${type} event's data is not JSON`);
    }
    if (type === 'put') return this.sink.put(body, 'stream');
    if (type === 'patch') return this.sink.patch(body, seqOf(id));
    return this.sink.remove(body, seqOf(id));
  }
}
