import { CoalescedRunner } from '../infra/coalesced-runner.js';
import type { SqlClient } from '../infra/sql/client.js';
import type { ChangeBus } from './bus.js';
import type { ChangeMessage } from './messages.js';

export interface PublisherOptions {
  /** Prune after this many published changes (default 1000) … */
  pruneEvery?: number;
  /** … the changes published more than this long ago (default 300 s). */
  retainSeconds?: number;
  db: SqlClient;
  bus: ChangeBus;
  /** Safety net for changes whose commit notification was missed (a crash, another API node). */
  pollMs?: number;
  batch?: number;
}

/**
 * Drains the outbox to the bus in commit order. A change leaves the outbox only after the bus
 * took it, so while the bus is down changes wait there and go out, in order, when it returns.
 * With several API nodes, a PostgreSQL advisory lock makes one of them the publisher at a time.
 */
export class OutboxPublisher {
  readonly #db: SqlClient;
  readonly #bus: ChangeBus;
  readonly #batch: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #runner = new CoalescedRunner(() => this.#drain());
  /** Published changes since start, and failed attempts: exposed for metrics and tests. */
  readonly stats = { published: 0, failures: 0 };
  #sincePrune = 0;
  readonly #pruneEvery: number;
  readonly #retainSeconds: number;

  constructor(opts: PublisherOptions) {
    this.#db = opts.db;
    this.#bus = opts.bus;
    this.#batch = opts.batch ?? 500;
    this.#pruneEvery = opts.pruneEvery ?? 1000;
    this.#retainSeconds = opts.retainSeconds ?? 300;
    this.#timer = setInterval(() => this.kick(), opts.pollMs ?? 1000);
    this.#timer.unref();
  }

  /** Asks for a drain now; concurrent requests coalesce into one more pass. */
  kick(): Promise<void> {
    return this.#runner.request();
  }

  async #drain(): Promise<void> {
    try {
      while ((await this.#drainBatch()) === this.#batch && !this.#runner.closed) {}
      await this.#prune();
    } catch {
      this.stats.failures++;
    }
  }

  async #drainBatch(): Promise<number> {
    return this.#db.transaction(async (tx) => {
      if (this.#db.driver === 'postgres') {
        const [lock] = await tx.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_xact_lock(hashtext('vexil.outbox')) AS ok",
        );
        if (!lock?.ok) return 0;
      }
      const rows = await tx.query<{
        id: number;
        environment_id: string;
        seq: number;
        entity: 'flag' | 'segment';
        key: string;
        op: 'put' | 'delete';
        payload: ChangeMessage['payload'];
      }>(
        'SELECT id, environment_id, seq, entity, key, op, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
        [this.#batch],
      );
      let done = 0;
      for (const r of rows) {
        const message: ChangeMessage = {
          type: 'change',
          environmentId: r.environment_id,
          seq: Number(r.seq),
          entity: r.entity,
          key: r.key,
          op: r.op,
          payload: r.payload,
        };
        try {
          await this.#bus.publish(message);
        } catch {
          this.stats.failures++;
          break;
        }
        done++;
      }
      if (done > 0) {
        const ids = rows.slice(0, done).map((r) => r.id);
        await tx.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [ids]);
        this.stats.published += done;
        this.#sincePrune += done;
      }
      return done === rows.length ? rows.length : 0;
    });
  }

  /**
   * Published changes are kept a few minutes (for inspection), then deleted: a growing table of
   * dead rows would slow every drain. PGlite has no autovacuum, so it is vacuumed here.
   */
  async #prune(): Promise<void> {
    if (this.#sincePrune < this.#pruneEvery) return;
    this.#sincePrune = 0;
    try {
      await this.#db.query('DELETE FROM outbox WHERE published_at <= now() - make_interval(secs => $1)', [
        this.#retainSeconds,
      ]);
      if (this.#db.driver === 'pglite') await this.#db.query('VACUUM outbox');
    } catch {
      // Pruning is housekeeping: the next round tries again.
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#runner.close();
  }
}
