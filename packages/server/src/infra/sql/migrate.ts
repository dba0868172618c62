import type { Sql, SqlClient } from './client.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002audit from './migrations/0002-audit-query-indexes.js';
import * as m0003events from './migrations/0003-events.js';
import * as m0004login from './migrations/0004-login-failures.js';
import * as m0005webhooks from './migrations/0005-webhooks.js';

/** Every migration, in order. A migration is never edited once released: add a new one. */
const MIGRATIONS: readonly { name: string; sql: string }[] = [
  m0001,
  m0002audit,
  m0003events,
  m0004login,
  m0005webhooks,
];

/** Applies pending migrations, each in its own transaction, and returns the names applied. */
export async function migrate(db: SqlClient): Promise<string[]> {
  // Nodes started together on one PostgreSQL database (api and stream nodes) migrate one at a
  // time: each step holds a transaction-scoped advisory lock and re-reads what is already done.
  const lock = (tx: Sql) =>
    db.driver === 'postgres' ? tx.query("SELECT pg_advisory_xact_lock(hashtext('vexil.migrate'))") : undefined;
  await db.transaction(async (tx) => {
    await lock(tx);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
  });
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.name)) continue;
    const ran = await db.transaction(async (tx) => {
      await lock(tx);
      if ((await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name])).length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      return true;
    });
    if (ran) applied.push(m.name);
  }
  return applied;
}
