// A throw-away PostgreSQL database per run: created on the server at DATABASE_URL, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

const redact = (url) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/**
 * Resolves { url, name, version, drop() } for a fresh database `vexil_bench_<hex>`,
 * or { skip: reason } when the server does not answer or refuses CREATE DATABASE.
 */
export async function freshDatabase(baseUrl = DEFAULT_URL) {
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => {});
    return { skip: `PostgreSQL at ${redact(baseUrl)} is not reachable: ${err.message}` };
  }
  const name = `vexil_bench_${randomBytes(5).toString('hex')}`;
  let version;
  const settings = {};
  try {
    version = (await admin.query('SHOW server_version')).rows[0].server_version;
    for (const s of ['shared_buffers', 'synchronous_commit', 'fsync', 'max_connections']) {
      settings[s] = (await admin.query(`SHOW ${s}`)).rows[0][s];
    }
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.end().catch(() => {});
    return { skip: `cannot create a database on ${redact(baseUrl)}: ${err.message}` };
  }
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    version,
    settings,
    display: redact(url.toString()),
    /** Process ids of PostgreSQL's processes working for this database (for CPU accounting). */
    async backendPids() {
      const c = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
      await c.connect();
      try {
        // Its backends (and autovacuum workers), plus the shared writers every commit relies on.
        const rows = await c.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1
             OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
          [name],
        );
        return rows.rows.map((r) => r.pid);
      } finally {
        await c.end().catch(() => {});
      }
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end().catch(() => {});
      }
    },
  };
}
