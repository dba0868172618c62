import type { EvaluationResult, JsonValue } from '@vexil/core';
import { SDK_NAME, SDK_VERSION, sdkHeaders } from '../data-source/http.js';
import type { VexilError } from '../errors.js';
import type { Logger } from '../options.js';
import type { FlagEntry } from '../store.js';
import type { EventStats } from '../types.js';
import { EventQueue } from './event-queue.js';
import { EventSender } from './sender.js';
import { Summarizer } from './summarizer.js';
import { type AnalyticsEvent, contextKeys, type ExposureEvent } from './types.js';

export interface EventProcessorOptions {
  url: string;
  sdkKey: string;
  flushIntervalMs: number;
  flushSize: number;
  capacity: number;
  timeoutMs: number;
  logger: Logger;
  onError: (err: VexilError) => void;
}

/**
 * Collects analytics events and sends them in batches: every `flushIntervalMs` (with the
 * evaluation summary of the interval), and as soon as `flushSize` events are queued. One request
 * at a time; a failed batch goes back to the front of the bounded queue and is retried at the
 * next flush. Nothing here runs inside a variation call except counting and queueing.
 */
export class EventProcessor {
  readonly summarizer = new Summarizer();
  readonly #queue: EventQueue<AnalyticsEvent>;
  readonly #sender: EventSender;
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();
  #soon = false;
  #closed = false;
  /** The server refused the key: events are no longer collected. */
  #disabled = false;
  #sent = 0;
  #failedRequests = 0;
  /** Events of the request in flight (still counted as queued). */
  #inFlight = 0;
  /** Dropped events already reported to the server. */
  #droppedReported = 0;
  /** Exposures already queued this interval: one per flag version, variation and context. */
  #exposed = new Set<string>();

  constructor(private readonly opts: EventProcessorOptions) {
    this.#queue = new EventQueue(opts.capacity);
    this.#sender = new EventSender(`${opts.url}/events/v1/bulk`, sdkHeaders(opts.sdkKey), opts.timeoutMs);
    this.#timer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    this.#timer.unref();
  }

  /** False once closed or refused: callers skip counting. */
  get active(): boolean {
    return !this.#closed && !this.#disabled;
  }

  exposure(entry: FlagEntry, r: EvaluationResult, context: unknown): void {
    if (!this.active || r.variationIndex === null) return;
    const keys = contextKeys(context);
    const id = `${entry.key}\u0000${entry.version}\u0000${r.variationIndex}\u0000${JSON.stringify(keys)}`;
    if (this.#exposed.has(id)) return;
    if (this.#exposed.size >= this.opts.capacity) this.#exposed.clear();
    this.#exposed.add(id);
    const e: ExposureEvent = {
      kind: 'exposure',
      creationDate: Date.now(),
      flagKey: entry.key,
      version: entry.version,
      variation: r.variationIndex,
      contextKeys: keys,
    };
    if (r.reason.kind === 'RULE_MATCH') e.ruleId = r.reason.ruleId;
    this.#push(e);
  }

  custom(key: string, context: unknown, value: number | undefined, data: JsonValue | undefined): void {
    if (!this.active) return;
    if (data !== undefined) {
      // A copy, taken now: the caller may change its object later, and what cannot be JSON is refused here, not at send time.
      try {
        data = JSON.parse(JSON.stringify(data)) as JsonValue;
      } catch (err) {
        this.opts.logger.warn(`track(${key}): data is not JSON (${(err as Error).message}); sent without it`);
        data = undefined;
      }
    }
    this.#push({
      kind: 'custom',
      creationDate: Date.now(),
      key,
      contextKeys: contextKeys(context),
      ...(value === undefined ? {} : { value }),
      ...(data === undefined ? {} : { data }),
    });
  }

  stats(): EventStats {
    return {
      queued: this.#queue.length + this.#inFlight,
      dropped: this.#queue.dropped,
      sent: this.#sent,
      failedRequests: this.#failedRequests,
    };
  }

  /** Sends everything queued (and the summary so far); resolves when done or given up. Never rejects. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing
      .then(() => this.#flushAll())
      .catch((err) => {
        this.opts.logger.error(`events: unexpected failure: ${(err as Error).message}`);
      });
    return this.#flushing;
  }

  /** Final flush; no events are collected afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return this.#flushing;
    clearInterval(this.#timer);
    const done = this.flush();
    this.#closed = true;
    await done;
  }

  #push(e: AnalyticsEvent): void {
    this.#queue.push(e);
    if (this.#queue.length >= this.opts.flushSize && !this.#soon) {
      this.#soon = true;
      setImmediate(() => {
        this.#soon = false;
        void this.flush();
      });
    }
  }

  async #flushAll(): Promise<void> {
    if (this.#disabled) return;
    this.#exposed.clear();
    const summary = this.summarizer.take();
    if (summary) this.#queue.push(summary);
    while (this.#queue.length > 0) {
      const batch = this.#queue.take(this.opts.flushSize);
      const dropped = this.#queue.dropped - this.#droppedReported;
      this.#inFlight = batch.length;
      const result = await this.#sender
        .send({ sdk: { name: SDK_NAME, version: SDK_VERSION }, dropped, events: batch })
        .finally(() => {
          this.#inFlight = 0;
        });
      if (result.outcome === 'sent') {
        this.#sent += batch.length;
        this.#droppedReported += dropped;
        continue;
      }
      this.#failedRequests++;
      this.opts.onError(result.error);
      if (result.error.code === 'unauthorized') {
        this.#disabled = true;
        this.#queue.clear();
        return;
      }
      if (result.outcome === 'retry') {
        this.#queue.unshift(batch);
        return; // the next flush tries again
      }
      this.opts.logger.warn(
        `events: ${batch.length} events refused by the server and dropped (${result.error.message})`,
      );
    }
  }
}
