import { PGlite } from '@electric-sql/pglite';
import type { Row, Sql, SqlClient } from './client.js';
import { translateSqlError } from './errors.js';

/**
 * The embedded store: PostgreSQL compiled to WASM, in process. `dataDir` undefined = in memory;
 * `instance` wraps an already-created PGlite (tests start them from a migrated template).
 */
export async function openPglite(dataDir?: string, instance?: PGlite): Promise<SqlClient> {
  // PGlite's default 160 MB of shared buffers doubles the process's memory for no gain at the
  // sizes the embedded store is for; PostgreSQL (DATABASE_URL) is the choice for large installations.
  const db = instance ?? new PGlite(dataDir, { postgresqlconf: ['shared_buffers=16MB', 'wal_buffers=1MB'] });
  await db.waitReady;
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T = Row>(text: string, params: readonly unknown[] = []) {
      try {
        return (await q.query<T>(text, params as unknown[])).rows;
      } catch (err) {
        throw translateSqlError(err);
      }
    },
    async exec(script: string) {
      try {
        await q.exec(script);
      } catch (err) {
        throw translateSqlError(err);
      }
    },
  });
  const root = wrap(db);
  return {
    driver: 'pglite',
    query: root.query,
    exec: root.exec,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}
