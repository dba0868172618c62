import pg from 'pg';
import type { Row, Sql, SqlClient } from './client.js';
import { translateSqlError } from './errors.js';

// Return BIGINT (sequence numbers) as JS numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PostgresOptions {
  url: string;
  /** Schema to use (created if missing): lets test suites share one database in isolation. */
  schema?: string;
  max?: number;
}

export async function openPostgres(opts: PostgresOptions): Promise<SqlClient> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 3000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const run = async <T>(q: pg.Pool | pg.PoolClient, text: string, params: readonly unknown[]) => {
    try {
      return (await q.query(text, params as unknown[])).rows as T[];
    } catch (err) {
      throw translateSqlError(err);
    }
  };
  if (opts.schema) await run(pool, `CREATE SCHEMA IF NOT EXISTS "${opts.schema.replaceAll('"', '')}"`, []);
  return {
    driver: 'postgres',
    query: (text, params = []) => run(pool, text, params),
    exec: async (script) => {
      await run(pool, script, []);
    },
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translateSqlError(err);
      }
      // The pool listens for errors only on idle clients: a connection lost while checked out
      // (the server restarted mid-transaction) emits 'error', which would crash the process.
      // The failed query reports it; the pool drops the dead client on release.
      const lost = () => {};
      client.on('error', lost);
      const tx: Sql = {
        query: <T = Row>(text: string, params: readonly unknown[] = []) => run<T>(client, text, params),
        exec: async (script) => {
          await run(client, script, []);
        },
      };
      try {
        await tx.query('BEGIN');
        const result = await fn(tx);
        await tx.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.removeListener('error', lost);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
