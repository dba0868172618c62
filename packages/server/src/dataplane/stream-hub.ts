import type { SqlClient } from '../infra/sql/client.js';
import type { ChangeBus } from './bus.js';
import { EnvironmentFeed } from './environment-feed.js';
import { loadSnapshot } from './load-snapshot.js';
import type { BusMessage, ChangeMessage, EnvironmentSnapshot } from './messages.js';
import type { SnapshotCache } from './snapshot-cache.js';

export interface StreamHubOptions {
  db: SqlClient;
  bus: ChangeBus;
  cache: SnapshotCache;
  /** How often loaded feeds are compared with the store's sequence, to catch lost messages. */
  checkMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

/**
 * A stream node's view of the data plane: one feed per environment that has clients, kept in
 * sequence from the bus. A feed starts from the shared cache, else the store; a gap, a bus
 * reconnect or a periodic check that finds the store ahead makes it reload.
 */
export class StreamHub {
  readonly #feeds = new Map<string, EnvironmentFeed>();
  readonly #loading = new Map<string, Promise<EnvironmentFeed | undefined>>();
  /** Changes that arrive while their environment's snapshot is loading: applied once it is in. */
  readonly #early = new Map<string, ChangeMessage[]>();
  /** Feeds the store was seen ahead of, with the sequence it had: reloaded if still behind next time. */
  readonly #lagging = new Map<EnvironmentFeed, number>();
  readonly #revokeListeners = new Set<(credentialId: string) => void>();
  readonly #settingsListeners = new Set<(environmentId: string) => void>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly stats = { reloads: 0, gaps: 0, applied: 0 };

  constructor(private readonly opts: StreamHubOptions) {
    this.#unsubscribe.push(opts.bus.subscribe((m) => this.#onMessage(m)));
    this.#unsubscribe.push(opts.bus.onReconnect(() => void this.checkAll()));
    this.#timer = setInterval(() => void this.checkAll(), opts.checkMs ?? 5000);
    this.#timer.unref();
  }

  /** Environments held in memory. */
  get feedCount(): number {
    return this.#feeds.size;
  }

  onRevoked(fn: (credentialId: string) => void): () => void {
    this.#revokeListeners.add(fn);
    return () => this.#revokeListeners.delete(fn);
  }

  /** Called when an environment's settings (allowed origins) changed on an api node. */
  onSettingsChanged(fn: (environmentId: string) => void): () => void {
    this.#settingsListeners.add(fn);
    return () => this.#settingsListeners.delete(fn);
  }

  /** The environment's feed, loading it on first use. Undefined if the environment does not exist. */
  async feed(environmentId: string): Promise<EnvironmentFeed | undefined> {
    const existing = this.#feeds.get(environmentId);
    if (existing) return existing;
    let loading = this.#loading.get(environmentId);
    if (!loading) {
      this.#early.set(environmentId, []);
      loading = this.#load(environmentId).finally(() => {
        this.#loading.delete(environmentId);
        this.#early.delete(environmentId);
      });
      this.#loading.set(environmentId, loading);
    }
    return loading;
  }

  async #load(environmentId: string): Promise<EnvironmentFeed | undefined> {
    const cached = await this.opts.cache.get(environmentId);
    // The cache may lag the store; when the store answers, the fresher of the two wins.
    let snapshot: EnvironmentSnapshot | undefined = cached;
    try {
      const stored = await loadSnapshot(this.opts.db, environmentId);
      if (!stored) return undefined;
      if (!snapshot || stored.seq >= snapshot.seq) snapshot = stored;
      await this.opts.cache.put(snapshot);
    } catch (err) {
      if (!snapshot) throw err;
    }
    const feed = new EnvironmentFeed(environmentId, snapshot);
    this.#feeds.set(environmentId, feed);
    // What was published while the snapshot loaded; anything it already holds is dropped as stale.
    for (const m of this.#early.get(environmentId) ?? []) this.#onMessage(m);
    return feed;
  }

  #onMessage(m: BusMessage): void {
    if (m.type === 'revoked') {
      for (const l of this.#revokeListeners) l(m.credentialId);
      return;
    }
    if (m.type === 'environment') {
      for (const l of this.#settingsListeners) l(m.environmentId);
      return;
    }
    const feed = this.#feeds.get(m.environmentId);
    if (!feed) {
      this.#early.get(m.environmentId)?.push(m);
      return;
    }
    const outcome = feed.apply(m);
    if (outcome === 'applied') {
      this.stats.applied++;
      this.#scheduleCachePut(feed);
    } else if (outcome === 'gap') {
      this.stats.gaps++;
      void this.#reload(feed, m);
    }
  }

  /** Brings a feed up to at least the store's sequence. Failures leave it serving what it has. */
  async #reload(feed: EnvironmentFeed, trigger?: ChangeMessage): Promise<void> {
    try {
      const cached = await this.opts.cache.get(feed.environmentId);
      const snapshot =
        cached && trigger && cached.seq >= trigger.seq ? cached : await loadSnapshot(this.opts.db, feed.environmentId);
      if (snapshot && snapshot.seq > feed.seq) {
        this.stats.reloads++;
        feed.reset(snapshot);
        await this.opts.cache.put(snapshot);
      }
    } catch (err) {
      this.opts.log?.({
        level: 'warn',
        msg: 'feed reload failed; serving the last snapshot',
        environmentId: feed.environmentId,
        error: String(err),
      });
    }
  }

  /** Compares every loaded feed with the store in one query; reloads those behind. */
  async checkAll(): Promise<void> {
    if (this.#feeds.size === 0) return;
    try {
      const ids = [...this.#feeds.keys()];
      const rows = await this.opts.db.query<{ id: string; seq: number }>(
        'SELECT id, seq FROM environments WHERE id = ANY($1::text[])',
        [ids],
      );
      for (const r of rows) {
        const feed = this.#feeds.get(r.id);
        if (!feed) continue;
        const stored = Number(r.seq);
        // A store a few milliseconds ahead of the bus is normal under steady writes: reload only a
        // feed that is still behind what the store had at the previous check.
        const seen = this.#lagging.get(feed);
        if (stored <= feed.seq) this.#lagging.delete(feed);
        else if (seen !== undefined && feed.seq < seen) {
          this.#lagging.delete(feed);
          await this.#reload(feed);
        } else this.#lagging.set(feed, stored);
      }
    } catch {
      // Store down: feeds keep serving their last snapshot.
    }
  }

  readonly #pendingCache = new Set<EnvironmentFeed>();
  #cacheTimer: NodeJS.Timeout | undefined;
  /** Snapshots go to the shared cache at most every 250 ms per node, not once per change. */
  #scheduleCachePut(feed: EnvironmentFeed): void {
    this.#pendingCache.add(feed);
    this.#cacheTimer ??= setTimeout(() => {
      this.#cacheTimer = undefined;
      const feeds = [...this.#pendingCache];
      this.#pendingCache.clear();
      for (const f of feeds) void this.opts.cache.put(f.snapshot());
    }, 250);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#cacheTimer) clearTimeout(this.#cacheTimer);
    for (const u of this.#unsubscribe) u();
  }
}
