/**
 * Secrets stay secret: no API token, SDK key, session or password reaches the log callback, and
 * none is stored in plaintext anywhere in the database (hashes only; client-side IDs are public).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createVexil, type Vexil } from '../src/app.js';
import { bootstrapIfEmpty, type FirstRun } from '../src/bootstrap.js';
import type { Sql, SqlClient } from '../src/infra/sql/client.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A store that fails the statements matching `failOn`, with an error naming the SQL (as drivers do). */
function failingStore(db: SqlClient) {
  const state: { failOn: RegExp | undefined } = { failOn: undefined };
  const guard =
    (sql: Sql): Sql['query'] =>
    (text, params) => {
      if (state.failOn?.test(text)) throw new Error(`simulated store failure in: ${text}`);
      return sql.query(text, params);
    };
  const wrapped: SqlClient = {
    driver: db.driver,
    query: guard(db),
    exec: (script) => db.exec(script),
    transaction: (fn) => db.transaction((tx) => fn({ query: guard(tx), exec: (s) => tx.exec(s) })),
    close: () => db.close(),
  };
  return { db: wrapped, state };
}

for (const kind of await storeKinds()) {
  describe(`secrets in logs on ${kind.name}`, { skip: kind.skip }, () => {
    let vexil: Vexil;
    let first: FirstRun;
    let store: ReturnType<typeof failingStore>;
    let raw: SqlClient & { drop?: () => Promise<void> };
    const lines: Record<string, unknown>[] = [];

    before(async () => {
      raw = await kind.open();
      store = failingStore(raw);
      vexil = await createVexil({ db: store.db, log: (line) => lines.push(line) });
      const run = await bootstrapIfEmpty(store.db, vexil.projects, {
        adminEmail: 'admin@test.local',
        adminPassword: 'the admin password',
      });
      assert.ok(run);
      first = run;
    });
    after(async () => {
      await vexil?.close();
      await raw?.drop?.();
    });

    const inject = async (method: string, url: string, headers: Record<string, string>, body?: unknown) => {
      const res = await vexil.http.inject({
        method: method as 'GET',
        url,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return res.statusCode;
    };

    /** Runs a request that fails inside the store and returns what was logged for it. */
    const failed = async (failOn: RegExp, run: () => Promise<number>) => {
      lines.length = 0;
      store.state.failOn = failOn;
      try {
        assert.equal(await run(), 500);
      } finally {
        store.state.failOn = undefined;
      }
      assert.equal(lines.length, 1, 'the failure is logged once');
      assert.equal(lines[0]?.level, 'error');
      assert.ok(lines[0]?.requestId, 'with its request id, to correlate');
      return JSON.stringify(lines);
    };

    test('a failed request authenticated by a bearer token logs neither the token nor its hash', async () => {
      const log = await failed(/FROM api_tokens WHERE secret_hash/, () =>
        inject('GET', '/api/v1/projects', { authorization: `Bearer ${first.adminToken}` }),
      );
      assert.ok(!log.includes(first.adminToken));
      assert.ok(!log.includes(first.adminToken.slice(4)));
      assert.ok(!log.includes(sha256(first.adminToken)));
    });

    test('failed logins and user creation log no password', async () => {
      const login = await failed(/FROM users WHERE email/, () =>
        inject('POST', '/api/v1/session', {}, { email: 'admin@test.local', password: 'the admin password' }),
      );
      assert.ok(!login.includes('the admin password'));
      const create = await failed(/INSERT INTO users/, () =>
        inject(
          'POST',
          '/api/v1/users',
          { authorization: `Bearer ${first.adminToken}` },
          { email: 'new@test.local', name: 'New', password: 'a secret new password' },
        ),
      );
      assert.ok(!create.includes('a secret new password'));
      assert.ok(!create.includes(first.adminToken));
    });

    test('refused credentials are not logged at all', async () => {
      lines.length = 0;
      assert.equal(await inject('GET', '/api/v1/projects', { authorization: 'Bearer vxa_not-a-real-token' }), 401);
      assert.equal(await inject('GET', '/api/v1/projects', { cookie: 'vexil_session=vxu_not-a-session' }), 401);
      assert.equal(
        await inject('POST', '/api/v1/session', {}, { email: 'admin@test.local', password: 'wrong password!' }),
        401,
      );
      assert.deepEqual(lines, []);
    });
  });

  describe(`secrets at rest on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s?.close();
    });

    test('no token, server key, session or password is stored in plaintext in any table', async () => {
      const secrets: string[] = [s.adminToken, s.adminPassword];
      const ok = async (method: string, url: string, opts: Parameters<TestServer['call']>[2] = {}) => {
        const res = await s.call(method, url, opts);
        assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
        return res;
      };
      const token = await ok('POST', '/api/v1/tokens', { body: { name: 'ci', role: 'editor', project: 'default' } });
      const rotated = await ok('POST', `/api/v1/tokens/${token.body.id}/rotate`, { body: { gracePeriodSeconds: 60 } });
      secrets.push(token.body.token, rotated.body.token);
      const keys = '/api/v1/projects/default/environments/production/keys';
      const server = await ok('POST', keys, { body: { kind: 'server' } });
      const serverRotated = await ok('POST', `${keys}/${server.body.id}/rotate`, { body: { gracePeriodSeconds: 60 } });
      secrets.push(server.body.key, serverRotated.body.key);
      await ok('POST', '/api/v1/users', {
        body: { email: 'chosen@test.local', name: 'Chosen', password: 'a chosen password' },
      });
      const generated = await ok('POST', '/api/v1/users', { body: { email: 'gen@test.local', name: 'Generated' } });
      secrets.push('a chosen password', generated.body.password);
      const login = await ok('POST', '/api/v1/session', {
        token: null,
        body: { email: 'chosen@test.local', password: 'a chosen password' },
      });
      const session = /vexil_session=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] as string;
      secrets.push(session);
      await ok('POST', '/api/v1/session/password', {
        token: null,
        headers: { cookie: `vexil_session=${session}`, 'x-csrf-token': login.body.csrfToken },
        body: { currentPassword: 'a chosen password', newPassword: 'the next password' },
      });
      secrets.push('the next password');

      const tables = await s.db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      assert.ok(tables.length >= 10);
      let dump = '';
      for (const { table_name } of tables) dump += JSON.stringify(await s.db.query(`SELECT * FROM "${table_name}"`));
      for (const secret of secrets) {
        assert.ok(secret.length >= 12);
        assert.ok(!dump.includes(secret), `plaintext secret found in the store: ${secret.slice(0, 4)}…`);
      }
      // Stored, but only as hashes.
      for (const machineSecret of [s.adminToken, token.body.token, rotated.body.token, server.body.key, session])
        assert.ok(dump.includes(sha256(machineSecret)));
      const hashes = await s.db.query<{ password_hash: string }>('SELECT password_hash FROM users');
      assert.ok(hashes.every((h) => h.password_hash.startsWith('scrypt$')));
    });
  });
}
