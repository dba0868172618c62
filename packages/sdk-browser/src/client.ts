import { contextHash, contextKeys, encodeContext } from './context-key.js';
import { Emitter } from './emitter.js';
import { EventQueue } from './event-queue.js';
import { FlagCache } from './flag-cache.js';
import { FlagStore } from './flag-store.js';
import { LiveUpdates } from './live-updates.js';
import type {
  ChangeListener,
  ClientOptions,
  ConnectionStatus,
  Context,
  EvaluationDetail,
  FlagState,
  FlagValues,
  Source,
} from './types.js';

type ClientEvents = { change: [keys: string[]]; ready: []; error: [err: Error]; status: [status: ConnectionStatus] };

/** The Vexil browser client: see `createClient`. */
export class VexilClient {
  private readonly store = new FlagStore();
  private readonly emitter = new Emitter<ClientEvents>();
  private readonly keyListeners = new Map<string, Set<() => void>>();
  private readonly cache: FlagCache;
  private readonly events: EventQueue | undefined;
  private readonly exposed = new Set<string>();
  private updates: LiveUpdates | undefined;
  private ctx: Context;
  private hash: string;
  private closed = false;
  private readyPromise: Promise<void> = Promise.resolve();
  /** Where the values being served came from. */
  source: Source = 'none';
  /** Whether those values can still change (see ConnectionStatus); `status` events report changes. */
  status: ConnectionStatus;

  constructor(private readonly o: ClientOptions) {
    this.ctx = o.context;
    this.hash = contextHash(o.context);
    this.status = o.offline ? 'offline' : 'connecting';
    let storage = o.storage;
    if (storage === undefined)
      try {
        storage = globalThis.localStorage ?? null;
      } catch {
        storage = null; // Storage disabled by the browser, or a server runtime without it.
      }
    this.cache = new FlagCache(storage, `vexil:${o.clientId}`);
    if (o.bootstrap) this.set(o.bootstrap, 'bootstrap');
    else this.fromCache();
    if (o.sendEvents !== false && !o.offline)
      this.events = new EventQueue({
        url: `${this.base}/events/v1/bulk`,
        clientId: o.clientId,
        flushIntervalMs: o.flushIntervalMs ?? 10_000,
        maxQueued: o.maxQueuedEvents ?? 500,
      });
    this.connect();
  }

  private get base(): string {
    return this.o.baseUrl.replace(/\/+$/, '');
  }

  /** The context being evaluated for. */
  get context(): Context {
    return this.ctx;
  }

  private fromCache(): boolean {
    const cached = this.cache.read(this.hash);
    if (cached) this.set(cached, 'cache');
    return !!cached;
  }

  private set(values: FlagValues, source: Source): void {
    this.source = source;
    this.changed(this.store.replace(values));
  }

  private changed(keys: string[]): void {
    if (keys.length === 0) return;
    for (const k of keys) for (const fn of [...(this.keyListeners.get(k) ?? [])]) fn();
    this.emitter.emit('change', keys);
  }

  private connect(): void {
    if (this.o.offline || this.closed) return;
    const hash = this.hash;
    const q = `?clientId=${encodeURIComponent(this.o.clientId)}&context=${encodeContext(this.ctx)}${
      this.o.withReasons ? '&withReasons=true' : ''
    }`;
    const saveIfCurrent = () => {
      if (hash === this.hash) this.cache.write(hash, { flags: this.store.flags });
    };
    this.updates = new LiveUpdates({
      evaluateUrl: `${this.base}/client/v1/evaluate${q}`,
      streamUrl: this.o.streaming === false ? undefined : `${this.base}/client/v1/stream${q}`,
      pollIntervalMs: this.o.pollIntervalMs ?? 30_000,
      onValues: (values) => {
        this.set(values, 'network');
        saveIfCurrent();
        this.emitter.emit('ready');
      },
      onPatch: (flags) => {
        this.changed(this.store.patch(flags));
        saveIfCurrent();
      },
      onError: (err) => this.emitter.emit('error', err),
      onStatus: (status) => {
        if (status === this.status) return;
        this.status = status;
        this.emitter.emit('status', status);
      },
    });
    this.readyPromise = this.updates.first;
  }

  /** Resolves once values for the current context came from the network or the first attempt failed; never rejects. */
  waitForReady(): Promise<void> {
    return this.readyPromise;
  }

  /**
   * Switches to another context: its cached values at once when there are some, otherwise the
   * current values stay until the new ones arrive. Resolves when they arrived (or failed to).
   */
  identify(context: Context): Promise<void> {
    this.updates?.close();
    this.ctx = context;
    this.hash = contextHash(context);
    this.exposed.clear();
    this.fromCache();
    this.connect();
    return this.readyPromise;
  }

  /** The raw state of one flag for the current context (the same object until it changes), or undefined. */
  flag(key: string): FlagState | undefined {
    return this.store.flags[key];
  }

  /** Every flag's value for the current context. */
  allFlags(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(this.store.flags)) out[k] = f.value;
    return out;
  }

  /** The flag's value, or `defaultValue` when it is unknown, serves no value, or has another type than the default. */
  variation<T>(key: string, defaultValue: T): T {
    return this.variationDetail(key, defaultValue).value;
  }

  /** The value with its variation index, version and (with `withReasons`) reason. */
  variationDetail<T>(key: string, defaultValue: T): EvaluationDetail<T> {
    const f = this.store.flags[key];
    const error = (errorKind: string): EvaluationDetail<T> => ({
      value: defaultValue,
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind },
      ...(f ? { version: f.version } : {}),
    });
    if (!f) return error('FLAG_NOT_FOUND');
    if (f.value === null || f.variation === null)
      return { ...error('NO_VALUE'), ...(f.reason ? { reason: f.reason } : {}) };
    if (defaultValue !== null && defaultValue !== undefined && typeof f.value !== typeof defaultValue)
      return error('WRONG_TYPE');
    this.expose(key, f);
    const d: EvaluationDetail<T> = { value: f.value as T, variationIndex: f.variation, version: f.version };
    if (f.reason) d.reason = f.reason;
    if (f.inExperiment) d.inExperiment = true;
    return d;
  }

  private expose(key: string, f: FlagState): void {
    const id = `${key}:${f.variation}:${f.version}`;
    if (!this.events?.accepting || this.exposed.has(id) || f.variation === null) return;
    if (this.exposed.size > 1000) this.exposed.clear();
    this.exposed.add(id);
    this.events.push({
      kind: 'exposure',
      creationDate: Date.now(),
      flagKey: key,
      version: f.version,
      variation: f.variation,
      contextKeys: contextKeys(this.ctx),
      ...(f.reason?.ruleId ? { ruleId: f.reason.ruleId } : {}),
    });
  }

  /** Records a custom event (a conversion, a metric value) for the current context. */
  track(key: string, value?: number, data?: unknown): void {
    this.events?.push({
      kind: 'custom',
      creationDate: Date.now(),
      key,
      contextKeys: contextKeys(this.ctx),
      ...(value === undefined ? {} : { value }),
      ...(data === undefined ? {} : { data }),
    });
  }

  /** Sends queued events now. */
  flush(): Promise<void> {
    return this.events?.flush() ?? Promise.resolve();
  }

  /**
   * `change` (with the changed keys), `ready` (network values arrived), `error`, `status` (the
   * ConnectionStatus changed). Returns the unsubscribe function.
   */
  on<K extends keyof ClientEvents>(event: K, fn: (...args: ClientEvents[K]) => void): () => void {
    return this.emitter.on(event, fn);
  }

  /** Calls `listener` with the changed keys whenever any value changes. */
  onChange(listener: ChangeListener): () => void {
    return this.emitter.on('change', listener);
  }

  /** Calls `listener` when this one flag changes (what `useSyncExternalStore` needs). */
  subscribe(key: string, listener: () => void): () => void {
    let set = this.keyListeners.get(key);
    if (!set) this.keyListeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.keyListeners.get(key) === set) this.keyListeners.delete(key);
    };
  }

  /** Stops updates, sends the queued events, and releases timers and listeners. */
  async close(): Promise<void> {
    this.closed = true;
    this.updates?.close();
    await this.flush();
    this.events?.close();
  }
}

/**
 * Creates a client for one context. Never waits on the network: bootstrap or cached values
 * (localStorage) are served at once, and the caller's defaults while nothing is known.
 */
export function createClient(options: ClientOptions): VexilClient {
  return new VexilClient(options);
}
