import type { SqlClient } from './client.js';
import * as m0001 from './migrations/0001-initial.js';

/** Every migration, in order. A migration is never edited once released: add a new one. */
const MIGRATIONS: readonly { name: string; sql: string }[] = [m0001];

/** Applies pending migrations, each in its own transaction, and returns the names applied. */
export async function migrate(db: SqlClient): Promise<string[]> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
  );
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.name)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
    });
    applied.push(m.name);
  }
  return applied;
}
