import type { EvaluationResult, Issue, JsonValue } from '@vexil/core';
import { CacheWriter, readCacheFile } from './cache-file.js';
import { type DataSink, DataSourceManager } from './data-source/manager.js';
import { Emitter } from './emitter.js';
import { ConfigurationError, InvalidDataError, StreamMalformedError, type VexilError } from './errors.js';
import { EventProcessor } from './events/processor.js';
import { type EvaluationHook, type HookContext, runHooks, type VariationMethod } from './hooks.js';
import { OfflineFile } from './offline-file.js';
import { type ResolvedOptions, resolveOptions, type VexilOptions } from './options.js';
import { normalizeSnapshot, parseDelete, parsePatch } from './snapshot.js';
import { type DataSourceState, type FlagSource, type SdkStatus, StatusTracker } from './status.js';
import { type ApplyResult, type FlagEntry, FlagStore } from './store.js';
import type { Context, EvaluationDetail, EvaluationReason, EventStats, FlagChange } from './types.js';

/** `typeof` of the value a typed variation call accepts; `json` accepts any value. */
export type ValueType = 'boolean' | 'string' | 'number' | 'object' | 'json';

/** Package-internal access for the OpenFeature provider; not part of the public API. */
export const INTERNAL: unique symbol = Symbol('vexil.internal');

export interface ClientInternals {
  detail(key: string, context: Context, defaultValue: JsonValue, type: ValueType): EvaluationDetail;
  flagInfo(
    key: string,
  ): { variationNames: readonly (string | undefined)[] | undefined; splitFallthrough: boolean } | undefined;
  isOffline(): boolean;
}

const reason = <K extends EvaluationReason>(r: K): K => Object.freeze(r);
const WRONG_TYPE = reason({ kind: 'ERROR', errorKind: 'WRONG_TYPE' } as const);
const FLAG_NOT_FOUND = reason({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' } as const);
const CLIENT_NOT_READY = reason({ kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' } as const);
const EXCEPTION = reason({ kind: 'ERROR', errorKind: 'EXCEPTION' } as const);

/** One flag's value for a context, in the format of the server's `/client/v1/evaluate`. */
export interface FlagState {
  value: JsonValue;
  /** Index of the served variation, or null (the client SDK then returns its default). */
  variation: number | null;
  version: number;
  reason?: EvaluationReason;
  /** Present (true) only when an experiment rollout bucketed the context. */
  inExperiment?: true;
}

/**
 * Every flag evaluated for one context, to bootstrap a browser page: serialise it into the
 * page (`JSON.stringify(state)`) and hand it to the browser SDK. `valid` is false when the SDK
 * had no flags (the page should then fetch its own).
 */
export interface FlagsState {
  valid: boolean;
  flags: Record<string, FlagState>;
}

export interface AllFlagsStateOptions {
  /** Only flags marked client-visible (`clientVisible: true`), as a browser would get them. Default false: all flags. */
  clientSideOnly?: boolean;
  /** Include each flag's reason. Default false. */
  withReasons?: boolean;
}

/** The events a client emits (`client.on(event, listener)`). */
export interface ClientEvents {
  /** The first flags arrived from the server (or the offline file was loaded). Once. */
  ready: SdkStatus;
  /** One flag whose evaluation may have changed (dependents of a changed segment or prerequisite included). */
  change: FlagChange;
  /** All flags changed by one update, at once. */
  update: readonly FlagChange[];
  /** The degradation level or the data source state changed. */
  status: SdkStatus;
  /** Something went wrong (the SDK keeps working with what it has). */
  error: VexilError;
}

/**
 * A Vexil server-side SDK client. Create one per process with `init()`, share it, and `close()`
 * it on shutdown (that also flushes events). Variation calls evaluate in process, never wait on
 * the network, and never throw: whatever goes wrong, they return the caller's default with an
 * error reason.
 */
export class VexilClient {
  readonly #opts: ResolvedOptions;
  readonly #store: FlagStore;
  readonly #emitter: Emitter<ClientEvents>;
  readonly #flagListeners = new Map<string, Set<(change: FlagChange) => void>>();
  readonly #status: StatusTracker;
  #events: EventProcessor | undefined;
  #manager: DataSourceManager | undefined;
  #cache: CacheWriter | undefined;
  #hooks: EvaluationHook[];
  #flagSource: FlagSource = 'none';
  #ready = false;
  #closed: Promise<void> | undefined;
  #offlineFile: OfflineFile | undefined;

  readonly [INTERNAL]: ClientInternals = {
    detail: (key, context, defaultValue, type) =>
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, type)
        : this.#hooked('variationDetail', key, context, defaultValue, type),
    flagInfo: (key) => {
      const e = this.#store.entries.get(key);
      return e && { variationNames: e.variationNames, splitFallthrough: e.splitFallthrough };
    },
    isOffline: () => this.#opts.mode === 'offline',
  };

  constructor(sdkKey: string | undefined, options: VexilOptions = {}) {
    const { options: opts, warnings, errors } = resolveOptions(options);
    this.#opts = opts;
    this.#hooks = [...opts.hooks];
    const log = opts.logger;
    this.#emitter = new Emitter<ClientEvents>((event, err) =>
      log.error(`a "${event}" listener threw: ${(err as Error)?.message ?? err}`),
    );
    this.#store = new FlagStore({
      codegen: opts.codegen,
      keepRaw: opts.cacheFile !== undefined && opts.mode !== 'offline',
    });
    this.#status = new StatusTracker(
      () => ({ hasFlags: this.#store.initialized, flagCount: this.#store.size, flagSource: this.#flagSource }),
      (status) => this.#emitter.emit('status', status),
    );
    for (const w of warnings) log.warn(w);
    const key = typeof sdkKey === 'string' ? sdkKey.trim() : '';
    if (key === '' && (opts.mode !== 'offline' || opts.sendEvents))
      errors.push('an SDK key is required (a server key, vxs_…)');
    if (errors.length > 0) {
      const err = new ConfigurationError(errors.join('; '));
      log.error(err.message);
      this.#status.setState('failed', err);
      return;
    }

    try {
      this.#start(key);
    } catch (err) {
      // Nothing above is expected to throw (core validates before compiling); init still never does.
      const e = new InvalidDataError(`the SDK could not start: ${(err as Error)?.message ?? err}`);
      log.error(e.message);
      this.#status.setState('failed', e);
    }
  }

  #start(key: string): void {
    const opts = this.#opts;
    const log = opts.logger;
    if (opts.sendEvents)
      this.#events = new EventProcessor({
        url: opts.eventsUrl,
        sdkKey: key,
        flushIntervalMs: opts.eventsFlushIntervalMs,
        flushSize: opts.eventsFlushSize,
        capacity: opts.eventsCapacity,
        timeoutMs: opts.requestTimeoutMs,
        logger: log,
        onError: (err) => this.#reportError(err),
      });

    if (opts.mode === 'offline') {
      this.#loadOffline();
      return;
    }

    if (opts.cacheFile !== undefined) {
      const cached = readCacheFile(opts.cacheFile, key);
      if (cached instanceof Error) this.#reportError(cached);
      else if (cached) {
        const result = this.#store.replace(cached.snapshot);
        this.#flagSource = 'cache';
        log.info(
          `serving ${this.#store.size} flags from the cache file (saved ${cached.savedAt.toISOString()}) until connected`,
        );
        if (result.issues.length > 0) this.#reportIssues('the cache file', result.issues);
        this.#status.refresh();
      }
      this.#cache = new CacheWriter(
        opts.cacheFile,
        key,
        () => this.#store.rawSnapshot(),
        (err) => this.#reportError(err),
      );
    }

    this.#manager = new DataSourceManager(opts.mode, opts, key, this.#sink());
    this.#manager.start();
  }

  // ---------------------------------------------------------------------------------------------
  // Variation calls: in process, no network, no throw.

  /** The flag's boolean value for the context, or `defaultValue` (unknown flag, wrong type, no flags…). */
  boolVariation(key: string, context: Context, defaultValue: boolean): boolean {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'boolean')
        : this.#hooked('boolVariation', key, context, defaultValue, 'boolean')
    ).value as boolean;
  }

  boolVariationDetail(key: string, context: Context, defaultValue: boolean): EvaluationDetail<boolean> {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'boolean')
        : this.#hooked('boolVariationDetail', key, context, defaultValue, 'boolean')
    ) as EvaluationDetail<boolean>;
  }

  stringVariation(key: string, context: Context, defaultValue: string): string {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'string')
        : this.#hooked('stringVariation', key, context, defaultValue, 'string')
    ).value as string;
  }

  stringVariationDetail(key: string, context: Context, defaultValue: string): EvaluationDetail<string> {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'string')
        : this.#hooked('stringVariationDetail', key, context, defaultValue, 'string')
    ) as EvaluationDetail<string>;
  }

  numberVariation(key: string, context: Context, defaultValue: number): number {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'number')
        : this.#hooked('numberVariation', key, context, defaultValue, 'number')
    ).value as number;
  }

  numberVariationDetail(key: string, context: Context, defaultValue: number): EvaluationDetail<number> {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'number')
        : this.#hooked('numberVariationDetail', key, context, defaultValue, 'number')
    ) as EvaluationDetail<number>;
  }

  /** Any JSON value (objects, arrays, and also strings, numbers, booleans, null). Treat the result as read-only. */
  jsonVariation<T extends JsonValue = JsonValue>(key: string, context: Context, defaultValue: T): T {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'json')
        : this.#hooked('jsonVariation', key, context, defaultValue, 'json')
    ).value as T;
  }

  jsonVariationDetail<T extends JsonValue = JsonValue>(
    key: string,
    context: Context,
    defaultValue: T,
  ): EvaluationDetail<T> {
    return (
      this.#hooks.length === 0
        ? this.#evaluate(key, context, defaultValue, 'json')
        : this.#hooked('jsonVariationDetail', key, context, defaultValue, 'json')
    ) as EvaluationDetail<T>;
  }

  /** The detail of any flag, whatever its kind (no type check). */
  variationDetail(key: string, context: Context, defaultValue: JsonValue): EvaluationDetail<JsonValue> {
    return this.#hooks.length === 0
      ? this.#evaluate(key, context, defaultValue, 'json')
      : this.#hooked('variationDetail', key, context, defaultValue, 'json');
  }

  /**
   * The hot path: one Map lookup, core's evaluation, a type check and a counter increment. A
   * served value returns @vexil/core's own (frozen, shared) result object: nothing is allocated.
   */
  #evaluate(key: string, context: unknown, defaultValue: JsonValue, type: ValueType): EvaluationDetail {
    const e = this.#store.entries.get(key);
    if (e === undefined) return this.#unknown(key, defaultValue);
    let r: EvaluationResult;
    try {
      r = e.compiled.evaluate(context);
    } catch {
      // Core guards every access itself; this keeps the promise even against a hostile context.
      return this.#defaulted(e, EXCEPTION, defaultValue);
    }
    const index = r.variationIndex;
    if (index !== null && (type === 'json' || typeof r.value === type)) {
      const counts = e.counts;
      if (counts !== undefined) counts[index] = (counts[index] as number) + 1;
      else this.#firstCount(e, index);
      if (r.inExperiment) this.#events?.exposure(e, r, context);
      return r;
    }
    return this.#defaulted(e, index === null ? r.reason : WRONG_TYPE, defaultValue, r.version);
  }

  #firstCount(e: FlagEntry, slot: number): void {
    const events = this.#events;
    if (events === undefined || !events.active) return;
    const counts = new Float64Array(e.variationCount + 1);
    counts[slot] = 1;
    e.counts = counts;
    events.summarizer.track(e);
  }

  /** The caller's default, with the reason (an error, or OFF/PREREQUISITE_FAILED without an off variation). */
  #defaulted(e: FlagEntry, why: EvaluationReason, defaultValue: JsonValue, version = e.version): EvaluationDetail {
    const counts = e.counts;
    if (counts !== undefined) counts[e.variationCount] = (counts[e.variationCount] as number) + 1;
    else this.#firstCount(e, e.variationCount);
    return Object.freeze({ value: defaultValue, variationIndex: null, reason: why, version, inExperiment: false });
  }

  #unknown(key: string, defaultValue: JsonValue): EvaluationDetail {
    const events = this.#events;
    if (events?.active) events.summarizer.unknown(String(key));
    return Object.freeze({
      value: defaultValue,
      variationIndex: null,
      reason: this.#store.initialized ? FLAG_NOT_FOUND : CLIENT_NOT_READY,
      version: 0,
      inExperiment: false,
    });
  }

  #hooked(
    method: VariationMethod,
    key: string,
    context: Context,
    defaultValue: JsonValue,
    type: ValueType,
  ): EvaluationDetail {
    const hc: HookContext = { flagKey: key, context, defaultValue, method };
    return runHooks(
      this.#hooks,
      hc,
      () => this.#evaluate(key, context, defaultValue, type),
      (hook, stage, err) =>
        this.#opts.logger.warn(
          `hook ${hook.name ?? '(unnamed)'} failed in ${stage}: ${(err as Error)?.message ?? err}`,
        ),
    );
  }

  /** Adds an evaluation hook (after those given in the options). */
  addHook(hook: EvaluationHook): void {
    this.#hooks = [...this.#hooks, hook];
  }

  // ---------------------------------------------------------------------------------------------
  // Bootstrap, events, listeners, status.

  /**
   * Every flag evaluated for the context, for bootstrapping a browser page. All flags by
   * default (like LaunchDarkly); `clientSideOnly` keeps the client-visible ones. Records no events.
   */
  allFlagsState(context: Context, options: AllFlagsStateOptions = {}): FlagsState {
    const flags: Record<string, FlagState> = {};
    for (const e of this.#store.entries.values()) {
      if (options.clientSideOnly && !e.compiled.clientVisible) continue;
      let r: EvaluationResult | undefined;
      try {
        r = e.compiled.evaluate(context);
      } catch {
        r = undefined;
      }
      const state: FlagState = {
        value: r?.variationIndex === null || !r ? null : r.value,
        variation: r?.variationIndex ?? null,
        version: e.version,
      };
      if (options.withReasons) state.reason = r?.reason ?? EXCEPTION;
      if (r?.inExperiment) state.inExperiment = true;
      flags[e.key] = state;
    }
    return { valid: this.#store.initialized, flags };
  }

  /**
   * A custom event (a conversion, a metric) for experiments: `value` is the metric's number,
   * `data` any JSON. Queued and sent in the background.
   */
  track(eventKey: string, context: Context, value?: number, data?: JsonValue): void {
    try {
      if (typeof eventKey !== 'string' || eventKey === '') {
        this.#opts.logger.warn('track: the event key must be a non-empty string; ignored');
        return;
      }
      const v = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
      this.#events?.custom(eventKey, context, v, data);
    } catch (err) {
      this.#opts.logger.warn(`track failed: ${(err as Error)?.message ?? err}`);
    }
  }

  /** Subscribes to a client event; returns the function that unsubscribes. */
  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void {
    this.#emitter.off(event, listener);
  }

  /** Called whenever any flag's evaluation may have changed. Returns the unsubscribe function. */
  onChange(listener: (change: FlagChange) => void): () => void {
    return this.#emitter.on('change', listener);
  }

  /** Called whenever this flag's evaluation may have changed. Returns the unsubscribe function. */
  onFlagChange(key: string, listener: (change: FlagChange) => void): () => void {
    let set = this.#flagListeners.get(key);
    if (!set) {
      set = new Set();
      this.#flagListeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#flagListeners.delete(key);
    };
  }

  /** The degradation level (0 streaming … 3 no flags), the data source state and the last error. */
  status(): SdkStatus {
    return this.#status.status();
  }

  /** True once flags arrived from the server (or the offline file). */
  get ready(): boolean {
    return this.#ready;
  }

  /**
   * Resolves with the status once flags arrive from the server, when the SDK gives up (refused
   * key, bad options), or after `timeout` ms (default 10 s) with whatever it has then: check
   * `level` (0/1 live, 2 cached flags, 3 defaults only). Never rejects.
   */
  waitForReady(options: { timeout?: number } = {}): Promise<SdkStatus> {
    const st = this.#status.state;
    if (this.#ready || st === 'failed' || st === 'closed' || st === 'offline') return Promise.resolve(this.status());
    const timeout = Math.max(0, options.timeout ?? 10_000);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        offReady();
        offStatus();
        resolve(this.status());
      };
      const timer = setTimeout(done, timeout);
      const offReady = this.#emitter.on('ready', done);
      const offStatus = this.#emitter.on('status', (s) => {
        if (s.state === 'failed' || s.state === 'closed') done();
      });
    });
  }

  /** Analytics counters (queued, dropped, sent). */
  eventStats(): EventStats {
    return this.#events?.stats() ?? { queued: 0, dropped: 0, sent: 0, failedRequests: 0 };
  }

  /** Connections and requests made so far (diagnostics). */
  connectionStats(): { streamConnections: number; pollRequests: number; polling: boolean; streaming: boolean } {
    return this.#manager?.stats() ?? { streamConnections: 0, pollRequests: 0, polling: false, streaming: false };
  }

  /** Sends queued events now. Never rejects. */
  flush(): Promise<void> {
    return this.#events?.flush() ?? Promise.resolve();
  }

  /**
   * Stops the data source, sends the remaining events and writes the cache file. Variation
   * calls keep answering from the last flags afterwards (no events are recorded). Never rejects.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#offlineFile?.close();
      try {
        await this.#manager?.stop();
        this.#status.setState('closed');
        await Promise.all([this.#events?.close(), this.#cache?.flush()]);
      } catch (err) {
        this.#opts.logger.error(`close: ${(err as Error)?.message ?? err}`);
      } finally {
        this.#emitter.clear();
        this.#flagListeners.clear();
      }
    })();
    return this.#closed;
  }

  // ---------------------------------------------------------------------------------------------
  // Applying data.

  #loadOffline(): void {
    const { offlineFile, offlineData } = this.#opts;
    let result: ApplyResult | undefined;
    if (offlineFile !== undefined) {
      this.#offlineFile = new OfflineFile(offlineFile);
      const s = this.#offlineFile.read();
      if (s instanceof Error) this.#reportError(s);
      else {
        result = this.#store.replace(s);
        this.#flagSource = 'file';
      }
    } else if (offlineData !== undefined) {
      const s = normalizeSnapshot(offlineData);
      if (typeof s === 'string') this.#reportError(new InvalidDataError(`offlineData: ${s}`));
      else {
        result = this.#store.replace(s);
        this.#flagSource = 'file';
      }
    }
    // The store holds what it needs: the caller's copy is not kept alive.
    this.#opts.offlineData = undefined;
    if (result && result.issues.length > 0) this.#reportIssues('the offline flags', result.issues);
    this.#status.setState('offline');
    if (this.#store.initialized) this.#markReady();
    const file = this.#offlineFile;
    if (file && this.#opts.watchOfflineFile)
      file.watch(
        () => {
          const s = file.read();
          if (s instanceof Error) return this.#reportError(s);
          const changed = this.#store.replace(s);
          if (changed.issues.length > 0) this.#reportIssues('the offline flags', changed.issues);
          if (!this.#ready && this.#store.initialized) this.#markReady();
          this.#notify(changed.changes);
        },
        (err) => this.#reportError(err),
      );
  }

  #sink(): DataSink {
    return {
      put: (body, via) => {
        const s = normalizeSnapshot(body);
        if (typeof s === 'string') return new StreamMalformedError(`${via === 'stream' ? 'put' : 'poll'}: ${s}`);
        const fromCacheOnly = this.#flagSource !== 'network';
        // The stream's put is authoritative; a poll applies only if newer (the stream may be ahead of it).
        const result = this.#store.replace(s, via === 'poll' && !fromCacheOnly);
        this.#flagSource = 'network';
        this.#afterApply(result, via === 'stream' ? 'stream put' : 'poll');
        return undefined;
      },
      patch: (body, seq) => {
        const p = parsePatch(body);
        if (typeof p === 'string') return new StreamMalformedError(`patch: ${p}`);
        this.#afterApply(this.#store.upsert(p.kind, p.key, p.data, seq), `patch of ${p.kind} ${p.key}`);
        return undefined;
      },
      remove: (body, seq) => {
        const d = parseDelete(body);
        if (typeof d === 'string') return new StreamMalformedError(`delete: ${d}`);
        this.#afterApply(this.#store.remove(d.kind, d.key, seq), `delete of ${d.kind} ${d.key}`);
        return undefined;
      },
      seq: () => this.#store.seq,
      state: (state: DataSourceState, err?: VexilError) => {
        if (err) this.#reportError(err);
        if (state === 'streaming' && this.#store.initialized) {
          // Resumed with Last-Event-ID (from this process or the cache file): the server sends only
          // what was missed, so the flags held are current from now on.
          this.#flagSource = 'network';
          this.#status.setState(state, err);
          this.#markReady();
          return;
        }
        this.#status.setState(state, err);
      },
      confirmed: () => this.#status.dataReceived(),
      error: (err) => this.#reportError(err),
    };
  }

  #afterApply(result: ApplyResult, what: string): void {
    if (result.issues.length > 0) this.#reportIssues(what, result.issues);
    this.#status.dataReceived();
    if (!result.applied) return;
    this.#cache?.schedule();
    if (!this.#ready) this.#markReady();
    this.#notify(result.changes);
  }

  #markReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#status.refresh();
    this.#emitter.emit('ready', this.status());
  }

  #notify(changes: readonly FlagChange[]): void {
    if (changes.length === 0) return;
    this.#emitter.emit('update', changes);
    for (const change of changes) {
      this.#emitter.emit('change', change);
      const set = this.#flagListeners.get(change.key);
      if (!set) continue;
      for (const l of [...set]) {
        try {
          l(change);
        } catch (err) {
          this.#opts.logger.error(`a change listener of ${change.key} threw: ${(err as Error)?.message ?? err}`);
        }
      }
    }
  }

  #reportIssues(what: string, issues: readonly Issue[]): void {
    const shown = issues
      .slice(0, 5)
      .map((i) => `${i.path} ${i.code}`)
      .join(', ');
    this.#reportError(
      new InvalidDataError(
        `${what}: @vexil/core refused some flags or segments (${shown}${issues.length > 5 ? ', …' : ''}); they evaluate to the default`,
        issues,
      ),
    );
  }

  #reportError(err: VexilError): void {
    this.#status.error(err);
    this.#opts.logger.warn(err.message);
    this.#emitter.emit('error', err);
  }
}

/**
 * Creates a client and starts connecting (streaming by default). Never throws: bad options put
 * the client in state `failed` (level 3: defaults only) with the reason in `status().lastError`.
 *
 * ```ts
 * const vexil = init(process.env.VEXIL_SERVER_KEY, { baseUrl: 'https://flags.example.com', cacheFile: '/var/cache/vexil.json' });
 * await vexil.waitForReady({ timeout: 5000 });
 * if (vexil.boolVariation('new-checkout', { kind: 'user', key: user.id, country: user.country }, false)) { … }
 * ```
 */
export function init(sdkKey: string | undefined, options: VexilOptions = {}): VexilClient {
  return new VexilClient(sdkKey, options);
}
