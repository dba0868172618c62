import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createVexil, type Vexil, type VexilOptions } from '../src/app.js';
import { bootstrapIfEmpty } from '../src/bootstrap.js';
import type { SqlClient } from '../src/infra/sql/client.js';
import { migrate } from '../src/infra/sql/migrate.js';
import { openPglite } from '../src/infra/sql/pglite.js';
import { openPostgres } from '../src/infra/sql/postgres.js';

/**
 * The same suites run against both store drivers. PostgreSQL needs DATABASE_URL (set by
 * .ci/run to this machine's server); without it, or when it does not answer, those suites skip
 * and say why. Each store is isolated: a fresh PGlite, or a fresh schema in PostgreSQL.
 */
export interface StoreKind {
  name: 'pglite' | 'postgres';
  /** Undefined when usable; otherwise the reason its suites skip. */
  skip: string | undefined;
  open(): Promise<SqlClient & { drop?: () => Promise<void> }>;
}

let template: Promise<Blob> | undefined;
/** initdb takes seconds; every embedded store starts from one migrated data directory instead. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const db = new PGlite();
    await db.waitReady;
    const client = await wrapPglite(db);
    await migrate(client);
    const dump = await db.dumpDataDir('none');
    await db.close();
    return dump;
  })();
  return template;
}

async function wrapPglite(db: PGlite): Promise<SqlClient> {
  // Reuse the production wrapper by opening through it with an already-built instance.
  const client = await openPglite(undefined, db);
  return client;
}

const postgresUrl = process.env.DATABASE_URL;
async function postgresReachable(): Promise<string | undefined> {
  if (!postgresUrl) return "DATABASE_URL is not set (.ci/run sets it to this machine's PostgreSQL)";
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at DATABASE_URL is not reachable: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function storeKinds(): Promise<StoreKind[]> {
  const pgSkip = await postgresReachable();
  return [
    {
      name: 'pglite',
      skip: undefined,
      open: async () => {
        const db = new PGlite({ loadDataDir: await pgliteTemplate() });
        await db.waitReady;
        return wrapPglite(db);
      },
    },
    {
      name: 'postgres',
      skip: pgSkip,
      open: async () => {
        const schema = `test_${randomBytes(6).toString('hex')}`;
        const client = await openPostgres({ url: postgresUrl as string, schema, max: 4 });
        return Object.assign(client, {
          drop: async () => {
            const admin = new pg.Client({ connectionString: postgresUrl });
            await admin.connect();
            await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            await admin.end();
          },
        });
      },
    },
  ];
}

export interface TestServer {
  vexil: Vexil;
  db: SqlClient;
  adminToken: string;
  adminEmail: string;
  adminPassword: string;
  /** An HTTP call through Fastify's injector: no sockets, same pipeline. */
  call(
    method: string,
    url: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: any;
  }>;
  close(): Promise<void>;
}

export async function startTestServer(kind: StoreKind, extra: Partial<VexilOptions> = {}): Promise<TestServer> {
  const db = await kind.open();
  const vexil = await createVexil({ db, ...extra });
  const first = await bootstrapIfEmpty(db, vexil.projects, {
    adminEmail: 'admin@test.local',
    adminPassword: 'correct horse battery staple',
  });
  if (!first) throw new Error('expected an empty store');
  const call: TestServer['call'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? first.adminToken : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await vexil.http.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    let body: unknown = res.body;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && res.body) body = JSON.parse(res.body);
    return { status: res.statusCode, headers: res.headers, body };
  };
  return {
    vexil,
    db,
    adminToken: first.adminToken,
    adminEmail: first.adminEmail,
    adminPassword: first.adminPassword,
    call,
    close: async () => {
      await vexil.close();
      await (db as { drop?: () => Promise<void> }).drop?.();
    },
  };
}
