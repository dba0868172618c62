import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createVexil } from '../src/app.js';
import { type AuditItem, queryAudit } from '../src/audit/audit-query.js';
import { type ChainedFields, eventHash } from '../src/audit/chain.js';
import { type AuditEventRow, rowFields, verifyAuditChains } from '../src/audit/verify.js';
import { bootstrapIfEmpty } from '../src/bootstrap.js';
import { auditCommand } from '../src/cli/audit-command.js';
import { configFromEnv } from '../src/config.js';
import { hashSecret, hintOf, newSecret, PREFIX } from '../src/credentials/secrets.js';
import type { Sql } from '../src/infra/sql/client.js';
import { openPglite } from '../src/infra/sql/pglite.js';
import { type StoreKind, startTestServer, storeKinds, type TestServer } from './harness.js';

/** An item as the API returns it; before/after are read as plain objects here. */
type Item = Omit<AuditItem, 'before' | 'after'> & {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};
type ProblemIssue = { path: string };

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const mainJs = join(repoRoot, 'packages/server/dist/main.js');

/** An API token inserted directly (no token API is needed to test the audit log's access rules). */
async function tokenFor(db: Sql, role: 'viewer' | 'editor' | 'admin', projectId: string | null) {
  const secret = newSecret(PREFIX.apiToken);
  const id = randomUUID();
  await db.query(
    'INSERT INTO api_tokens (id, name, role, project_id, secret_hash, hint, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)',
    [id, `${role} token`, role, projectId, hashSecret(secret), hintOf(secret), 'test'],
  );
  return { id, secret };
}

const projectId = async (s: TestServer, key: string) => {
  const res = await s.call('GET', `/api/v1/projects/${key}`);
  assert.equal(res.status, 200);
  return res.body.id as string;
};

/** Every item of a listing, following nextCursor. */
async function allPages(s: TestServer, url: string, token?: string) {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await s.call('GET', cursor ? `${url}${sep}cursor=${cursor}` : url, token ? { token } : {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

/** Makes the audit log writable, as an attacker with database access would. */
const disableTrigger = (db: Sql) => db.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');

interface Seeded {
  chain: string;
  /** f[k]: the seq of flag fk's creation (k = 1..5); they close the chain. */
  f: number[];
  last: number;
  /** The installation chain's head seq. */
  installationHead: number;
}

/** A project `t` whose chain holds project.create (seq 1), whatever else creating a project records, then flag.create f1..f5. */
async function seedChain(s: TestServer): Promise<Seeded> {
  assert.equal((await s.call('POST', '/api/v1/projects', { body: { key: 't', name: 'Tamper target' } })).status, 201);
  for (let i = 1; i <= 5; i++) {
    const res = await s.call('POST', '/api/v1/projects/t/flags', {
      body: { key: `f${i}`, name: `F${i}`, comment: `c${i}` },
    });
    assert.equal(res.status, 201);
  }
  const chain = await projectId(s, 't');
  const rows = await s.db.query<{ key: string; seq: number }>(
    "SELECT resource_key AS key, seq FROM audit_events WHERE project_id = $1 AND action = 'flag.create'",
    [chain],
  );
  const f = [0, ...[1, 2, 3, 4, 5].map((k) => Number(rows.find((r) => r.key === `f${k}`)?.seq))];
  const [head] = await s.db.query<{ seq: number }>("SELECT seq FROM audit_heads WHERE chain = ''");
  return { chain, f, last: f[5] as number, installationHead: Number(head?.seq) };
}

for (const kind of await storeKinds()) {
  describe(`audit log (${kind.name})`, { skip: kind.skip }, () => {
    describe('recording and querying', () => {
      let s: TestServer;
      let alpha: string;
      let beta: string;
      let adminTokenId: string;
      before(async () => {
        s = await startTestServer(kind);
        const [tok] = await s.db.query<{ id: string }>(
          "SELECT id FROM api_tokens WHERE name = 'bootstrap admin token'",
        );
        adminTokenId = tok?.id as string;
        for (const key of ['alpha', 'beta']) {
          const res = await s.call('POST', '/api/v1/projects', {
            body: { key, name: key.toUpperCase() },
            headers: { 'x-request-id': `req-create-${key}` },
          });
          assert.equal(res.status, 201);
        }
        alpha = await projectId(s, 'alpha');
        beta = await projectId(s, 'beta');
      });
      after(() => s.close());

      it('a flag created and retargeted with a comment leaves events with actor, before/after, comment and request id', async () => {
        const created = await s.call('POST', '/api/v1/projects/alpha/flags', {
          body: { key: 'checkout', name: 'Checkout', comment: 'new checkout flow' },
          headers: { 'x-request-id': 'req-flag-create' },
        });
        assert.equal(created.status, 201);
        const patched = await s.call('PATCH', '/api/v1/projects/alpha/flags/checkout/environments/production', {
          body: { instructions: [{ kind: 'turnFlagOn' }], comment: 'launch to everyone' },
          headers: { 'x-request-id': 'req-flag-on' },
        });
        assert.equal(patched.status, 200);
        assert.equal(patched.headers['x-request-id'], 'req-flag-on');

        const res = await s.call('GET', '/api/v1/projects/alpha/audit?limit=200');
        assert.equal(res.status, 200);
        assert.equal(res.body.nextCursor, null);
        // Newest first: the retargeting, the creation, and (after whatever else creating a project records) the project.
        const [on, create] = res.body.items;
        const project = res.body.items.at(-1);
        assert.deepEqual(
          [on, create, project].map((i: Item) => i.action),
          ['flag.config.update', 'flag.create', 'project.create'],
        );
        assert.equal(project.seq, 1);
        assert.equal(on.seq, create.seq + 1);
        assert.equal(on.seq, res.body.items.length);
        assert.deepEqual(on.actor, { type: 'token', id: adminTokenId, name: 'bootstrap admin token' });
        assert.equal(on.project, 'alpha');
        assert.equal(on.projectId, alpha);
        assert.deepEqual(on.resource, { type: 'flag', key: 'checkout' });
        assert.equal(on.environment, 'production');
        assert.equal(on.before.on, false);
        assert.equal(on.after.on, true);
        assert.equal(on.comment, 'launch to everyone');
        assert.equal(on.requestId, 'req-flag-on');
        assert.ok(!Number.isNaN(Date.parse(on.at)));
        assert.equal(create.comment, 'new checkout flow');
        assert.equal(create.requestId, 'req-flag-create');
        assert.equal(create.before, null);
        assert.equal(create.after.key, 'checkout');
        assert.equal(create.environment, null);
        assert.equal(project.requestId, 'req-create-alpha');
        // The items are the chain: each links to the one before, and the hashes recompute.
        assert.equal(on.prevHash, create.hash);
        assert.equal(project.prevHash, '');
        for (const [newer, older] of res.body.items
          .slice(0, -1)
          .map((x: Item, i: number) => [x, res.body.items[i + 1]]))
          assert.equal(newer.prevHash, older.hash);
        assert.match(on.hash, /^[0-9a-f]{64}$/);
      });

      it('filters by resource, actor, action (exact and prefix), environment and time, and pages with a cursor', async () => {
        const editor = await tokenFor(s.db, 'editor', alpha);
        for (let i = 0; i < 6; i++) {
          const res = await s.call('POST', '/api/v1/projects/alpha/flags', {
            body: { key: `f${i}`, name: `F${i}` },
            ...(i % 2 ? { token: editor.secret } : {}),
          });
          assert.equal(res.status, 201);
        }
        for (const env of ['staging', 'production']) {
          const res = await s.call('PATCH', `/api/v1/projects/alpha/flags/f1/environments/${env}`, {
            body: { instructions: [{ kind: 'turnFlagOn' }] },
            token: editor.secret,
          });
          assert.equal(res.status, 200);
        }
        assert.equal(
          (await s.call('POST', '/api/v1/projects/beta/flags', { body: { key: 'checkout', name: 'B' } })).status,
          201,
        );

        const all = (await s.call('GET', '/api/v1/projects/alpha/audit?limit=200')).body.items as Item[];
        const n = all.length;
        assert.ok(n >= 11);
        assert.deepEqual(
          all.map((i) => i.seq),
          Array.from({ length: n }, (_, i) => n - i),
        );
        assert.ok(all.every((i) => i.project === 'alpha'));

        // Cursor pagination returns the same events, in the same order, without repeats.
        for (const limit of [1, 5, n, 200]) {
          const { items, pages } = await allPages(s, `/api/v1/projects/alpha/audit?limit=${limit}`);
          assert.deepEqual(
            items.map((i) => i.id),
            all.map((i) => i.id),
          );
          assert.equal(pages, Math.ceil(n / limit));
        }
        const first = await s.call('GET', '/api/v1/projects/alpha/audit?limit=5');
        const second = await s.call('GET', `/api/v1/projects/alpha/audit?limit=5&cursor=${first.body.nextCursor}`);
        assert.deepEqual(
          second.body.items.map((i: Item) => i.seq),
          all.slice(5, 10).map((i) => i.seq),
        );

        const q = async (query: string) => {
          const res = await s.call('GET', `/api/v1/projects/alpha/audit?limit=200&${query}`);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          return res.body.items as Item[];
        };
        const ids = (items: Item[]) => items.map((i) => i.id);
        const where = (pred: (i: Item) => boolean) => ids(all.filter(pred));

        assert.deepEqual(
          ids(await q('resourceType=flag&resourceKey=checkout')),
          where((i) => i.resource.key === 'checkout'),
        );
        assert.deepEqual(
          ids(await q('resourceKey=f1')),
          where((i) => i.resource.key === 'f1'),
        );
        assert.deepEqual(
          ids(await q('resourceType=project')),
          where((i) => i.resource.type === 'project'),
        );
        const byEditor = await q(`actor=${editor.id}`);
        assert.equal(byEditor.length, 5);
        assert.deepEqual(
          ids(byEditor),
          where((i) => i.actor.id === editor.id),
        );
        assert.ok(byEditor.every((i) => i.actor.type === 'token' && i.actor.name === 'editor token'));
        assert.deepEqual(
          ids(await q('action=flag.create')),
          where((i) => i.action === 'flag.create'),
        );
        assert.equal((await q('action=flag.create')).length, 7);
        const flagEvents = where((i) => i.action.startsWith('flag.'));
        assert.equal(flagEvents.length, 10);
        assert.deepEqual(ids(await q('action=flag.')), flagEvents);
        assert.deepEqual(ids(await q('action=flag.*')), flagEvents);
        assert.deepEqual(
          ids(await q('action=flag.config.')),
          where((i) => i.action === 'flag.config.update'),
        );
        assert.deepEqual(await q('action=flag'), []); // exact, not a prefix
        assert.deepEqual(
          ids(await q('environment=production')),
          where((i) => i.environment === 'production'),
        );
        assert.deepEqual(
          ids(await q(`environment=staging&actor=${editor.id}`)),
          where((i) => i.environment === 'staging' && i.actor.id === editor.id),
        );

        // Time: from is inclusive, to exclusive.
        const mid = all[Math.floor(n / 2)]?.at as string;
        const oldest = all[n - 1]?.at as string;
        const t = Date.parse(mid);
        assert.deepEqual(
          ids(await q(`from=${mid}`)),
          where((i) => Date.parse(i.at) >= t),
        );
        assert.deepEqual(
          ids(await q(`to=${mid}`)),
          where((i) => Date.parse(i.at) < t),
        );
        assert.deepEqual(
          ids(await q(`from=${oldest}&to=${mid}`)),
          where((i) => Date.parse(i.at) < t),
        );
        // The same instant written with an offset.
        const offset = new Date(t + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
        assert.deepEqual(
          ids(await q(`from=${encodeURIComponent(offset)}`)),
          where((i) => Date.parse(i.at) >= t),
        );
        assert.deepEqual(await q('from=2999-01-01T00:00:00Z'), []);
        // Time ranges page correctly too, and the capped-candidates fallback gives the same pages.
        const ranged = await allPages(s, `/api/v1/projects/alpha/audit?limit=4&from=${oldest}`);
        assert.deepEqual(ids(ranged.items), ids(all));
        const f = { chain: alpha, from: new Date(oldest), limit: 4 };
        assert.deepEqual(await queryAudit(s.db, f, 2), await queryAudit(s.db, f));
      });

      it('rejects bad filters with problem+json naming each field', async () => {
        const bad = async (query: string, paths: string[]) => {
          const res = await s.call('GET', `/api/v1/projects/alpha/audit?${query}`);
          assert.equal(res.status, 400, query);
          assert.match(String(res.headers['content-type']), /application\/problem\+json/);
          assert.equal(res.body.code, 'validation_failed');
          assert.deepEqual(res.body.errors.map((e: ProblemIssue) => e.path).sort(), [...paths].sort(), query);
        };
        await bad('from=yesterday', ['/query/from']);
        await bad('to=2024-01-01', ['/query/to']);
        await bad('from=2024-02-30T00:00:00Z', ['/query/from']);
        await bad('from=2024-02-01T10:00:00Z&to=2024-01-01T00:00:00Z', ['/query/to']);
        await bad('limit=0', ['/query/limit']);
        await bad('limit=201', ['/query/limit']);
        await bad('limit=ten', ['/query/limit']);
        await bad('cursor=not-a-cursor', ['/query/cursor']);
        await bad('action=fl*g', ['/query/action']);
        await bad('sort=asc', ['/query/sort']);
        await bad('from=nope&limit=0&sort=x', ['/query/from', '/query/limit', '/query/sort']);
        await bad('resourceKey=', ['/query/resourceKey']);
        const ok = await s.call('GET', '/api/v1/projects/alpha/audit?limit=200&from=2024-01-01t00:00:00.123456z');
        assert.equal(ok.status, 200);
        const res = await s.call('GET', '/api/v1/audit?project=alpha&limit=1000');
        assert.equal(res.status, 400);
        assert.deepEqual(
          res.body.errors.map((e: ProblemIssue) => e.path),
          ['/query/limit'],
        );
      });

      it('lets project viewers read only their project, and only administrators read the installation log', async () => {
        const viewer = await tokenFor(s.db, 'viewer', alpha);
        const own = await s.call('GET', '/api/v1/projects/alpha/audit', { token: viewer.secret });
        assert.equal(own.status, 200);
        assert.ok(own.body.items.length > 0);
        const other = await s.call('GET', '/api/v1/projects/beta/audit', { token: viewer.secret });
        assert.equal(other.status, 403);
        assert.match(String(other.headers['content-type']), /application\/problem\+json/);
        assert.equal((await s.call('GET', '/api/v1/audit', { token: viewer.secret })).status, 403);
        assert.equal((await s.call('GET', '/api/v1/audit?project=alpha', { token: viewer.secret })).status, 403);
        const editor = await tokenFor(s.db, 'editor', beta);
        assert.equal((await s.call('GET', '/api/v1/projects/alpha/audit', { token: editor.secret })).status, 403);
        assert.equal((await s.call('GET', '/api/v1/audit', { token: editor.secret })).status, 403);
        const projectAdmin = await tokenFor(s.db, 'admin', alpha);
        assert.equal((await s.call('GET', '/api/v1/audit', { token: projectAdmin.secret })).status, 403);
        assert.equal((await s.call('GET', '/api/v1/projects/alpha/audit', { token: null })).status, 401);
        assert.equal((await s.call('GET', '/api/v1/audit', { token: null })).status, 401);
      });

      it('shows administrators every chain, installation-wide events included, and one project on request', async () => {
        const { items } = await allPages(s, '/api/v1/audit?limit=200');
        const [{ n } = { n: 0 }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
        assert.equal(items.length, n);
        assert.deepEqual(
          items.map((i) => i.id),
          [...items.map((i) => i.id)].sort((a, b) => b - a),
        );
        const installation = items.filter((i) => i.project === null);
        assert.deepEqual(installation.map((i) => i.action).sort(), ['token.create', 'user.create']);
        assert.ok(installation.every((i) => i.projectId === null && i.requestId === 'bootstrap'));
        assert.deepEqual([...new Set(items.map((i) => i.project))].sort(), [null, 'alpha', 'beta', 'default'].sort());
        const onlyBeta = (await s.call('GET', '/api/v1/audit?project=beta&limit=200')).body.items as Item[];
        assert.deepEqual(
          onlyBeta.map((i) => i.id),
          items.filter((i) => i.project === 'beta').map((i) => i.id),
        );
        const tokens = (await s.call('GET', '/api/v1/audit?action=token.')).body.items as Item[];
        assert.deepEqual(
          tokens.map((i) => i.action),
          ['token.create'],
        );

        // A deleted project's events stay readable by its id, and still verify.
        assert.equal((await s.call('DELETE', '/api/v1/projects/beta')).status, 204);
        const gone = (await s.call('GET', `/api/v1/audit?project=${beta}&limit=200`)).body.items as Item[];
        assert.deepEqual(
          gone.map((i) => i.id).slice(1),
          onlyBeta.map((i) => i.id),
        );
        assert.equal(gone[0]?.action, 'project.delete');
        assert.ok(gone.every((i) => i.project === beta && i.projectId === beta));
        assert.equal((await s.call('GET', '/api/v1/audit?project=no-such-project')).body.items.length, 0);
        const report = await verifyAuditChains(s.db);
        assert.ok(report.ok, JSON.stringify(report.chains.filter((c) => c.issue)));
        assert.ok(
          report.chains.some((c) => c.chain === beta && c.projectKey === undefined && c.events === gone.length),
        );
      });

      it('hashes exactly what the API returns (chain.ts over the stored fields)', async () => {
        const [row] = await s.db.query<AuditEventRow>(
          `SELECT id, project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
                  environment_key, before::text AS before, after::text AS after, comment, request_id, prev_hash, hash
           FROM audit_events WHERE action = 'flag.config.update' ORDER BY id LIMIT 1`,
        );
        assert.ok(row);
        const fields: ChainedFields = rowFields(row);
        assert.equal(eventHash(fields), row.hash);
      });
    });

    describe('append-only and tamper evidence', () => {
      let s: TestServer;
      let chain: Seeded;
      before(async () => {
        s = await startTestServer(kind);
        chain = await seedChain(s);
      });
      after(() => s.close());

      it('refuses a plain UPDATE or DELETE of an audit event', async () => {
        await assert.rejects(s.db.query("UPDATE audit_events SET comment = 'rewritten' WHERE seq = 1"), /append-only/);
        await assert.rejects(s.db.query('DELETE FROM audit_events WHERE seq = 1'), /append-only/);
        await assert.rejects(s.db.query('DELETE FROM audit_events'), /append-only/);
      });

      it('reports an untouched log as intact, chain by chain', async () => {
        const report = await verifyAuditChains(s.db, { batchSize: 2 });
        assert.ok(report.ok);
        const [{ n } = { n: 0 }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
        assert.equal(report.events, n);
        const counts = await s.db.query<{ chain: string; n: number }>(
          "SELECT COALESCE(project_id, '') AS chain, count(*)::int AS n FROM audit_events GROUP BY 1",
        );
        const count = (c: string) => counts.find((x) => x.chain === c)?.n;
        assert.deepEqual(
          report.chains.map((c) => [c.chain === '' ? '' : c.projectKey, c.events, c.issue]),
          [
            ['', count(''), undefined],
            ['default', count(report.chains[1]?.chain ?? '?'), undefined],
            ['t', count(chain.chain), undefined],
          ],
        );
        const one = await verifyAuditChains(s.db, { projectKey: 't' });
        assert.deepEqual(
          one.chains.map((c) => [c.chain, c.events, c.headSeq]),
          [[chain.chain, chain.last, chain.last]],
        );
        await assert.rejects(verifyAuditChains(s.db, { projectKey: 'nope' }), /no project "nope"/);
      });
    });

    // Each tamper case gets its own store: the damage must not leak into the next case.
    // `expect`: the broken chains ('t', or '' for the installation chain) with the seq and reason reported.
    const tamper = (
      title: string,
      attack: (db: Sql, c: Seeded) => Promise<unknown>,
      expected: (c: Seeded) => [string, number, string][],
    ) =>
      it(title, async () => {
        const s = await startTestServer(kind);
        try {
          const seeded = await seedChain(s);
          const { chain } = seeded;
          const expect = expected(seeded);
          await disableTrigger(s.db);
          await attack(s.db, seeded);
          for (const batchSize of [2000, 2]) {
            const report = await verifyAuditChains(s.db, { batchSize });
            assert.equal(report.ok, false);
            const bad = report.chains.filter((c) => c.issue);
            assert.deepEqual(
              bad.map((c) => [c.chain === chain ? 't' : c.chain, c.issue?.seq, c.issue?.reason]),
              expect,
              JSON.stringify(bad),
            );
            // Every other chain is still intact.
            assert.equal(report.chains.length - bad.length, 3 - expect.length);
            assert.ok(bad.every((c) => c.issue && c.issue.detail.length > 0));
          }
        } finally {
          await s.close();
        }
      });

    describe('verify detects tampering done directly in SQL', () => {
      const at = (db: Sql, c: Seeded, seq: number, set: string) =>
        db.query(`UPDATE audit_events SET ${set} WHERE project_id = $1 AND seq = $2`, [c.chain, seq]);
      tamper(
        'an edited comment',
        (db, c) => at(db, c, c.f[2] as number, "comment = 'nothing to see'"),
        (c) => [['t', c.f[2] as number, 'edited']],
      );
      tamper(
        'an edited after',
        (db, c) => at(db, c, c.f[3] as number, `after = jsonb_set(after, '{name}', '"Renamed"')`),
        (c) => [['t', c.f[3] as number, 'edited']],
      );
      tamper(
        'an edited actor',
        (db, c) => at(db, c, c.f[1] as number, "actor_name = 'someone else'"),
        (c) => [['t', c.f[1] as number, 'edited']],
      );
      tamper(
        'an edited stored hash',
        (db, c) => at(db, c, c.f[4] as number, "hash = repeat('0', 64)"),
        (c) => [['t', c.f[4] as number, 'edited']],
      );
      tamper(
        'a forged event whose own hash was recomputed (the next link breaks)',
        async (db, c) => {
          const [row] = await db.query<AuditEventRow>(
            `SELECT id, project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
                    environment_key, before::text AS before, after::text AS after, comment, request_id, prev_hash, hash
             FROM audit_events WHERE project_id = $1 AND seq = $2`,
            [c.chain, c.f[2]],
          );
          assert.ok(row);
          const forged = { ...rowFields(row), comment: 'forged' };
          await db.query('UPDATE audit_events SET comment = $2, hash = $3 WHERE id = $1', [
            row.id,
            'forged',
            eventHash(forged),
          ]);
        },
        (c) => [['t', c.f[3] as number, 'broken-link']],
      );
      tamper(
        'a deleted middle event',
        (db, c) => db.query('DELETE FROM audit_events WHERE project_id = $1 AND seq = $2', [c.chain, c.f[2]]),
        (c) => [['t', c.f[2] as number, 'missing']],
      );
      tamper(
        'a deleted first event',
        (db, c) => db.query('DELETE FROM audit_events WHERE project_id = $1 AND seq = 1', [c.chain]),
        () => [['t', 1, 'missing']],
      );
      tamper(
        'a deleted last event (audit_heads left as it was)',
        (db, c) => db.query('DELETE FROM audit_events WHERE project_id = $1 AND seq = $2', [c.chain, c.last]),
        (c) => [['t', c.last, 'head-mismatch']],
      );
      tamper(
        'the last two events deleted',
        (db, c) => db.query('DELETE FROM audit_events WHERE project_id = $1 AND seq >= $2', [c.chain, c.f[4]]),
        (c) => [['t', c.f[4] as number, 'head-mismatch']],
      );
      tamper(
        'two events swapped (their seqs exchanged)',
        async (db, c) => {
          const [a, b] = [c.f[1] as number, c.f[2] as number];
          await db.query('UPDATE audit_events SET seq = -seq WHERE project_id = $1 AND seq IN ($2, $3)', [
            c.chain,
            a,
            b,
          ]);
          await db.query(
            'UPDATE audit_events SET seq = CASE seq WHEN $2::bigint THEN $3::bigint ELSE $4::bigint END WHERE project_id = $1 AND seq < 0',
            [c.chain, -a, b, a],
          );
        },
        (c) => [['t', c.f[1] as number, 'edited']],
      );
      tamper(
        'an event moved to another chain',
        (db, c) => at(db, c, c.f[3] as number, `project_id = NULL, seq = ${c.installationHead + 1}`),
        (c) => [
          ['', c.installationHead + 1, 'edited'],
          ['t', c.f[3] as number, 'missing'],
        ],
      );
      tamper(
        'a well-formed event appended past the head (outside appendAudit)',
        async (db, c) => {
          const [row] = await db.query<AuditEventRow>(
            `SELECT id, project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
                    environment_key, before::text AS before, after::text AS after, comment, request_id, prev_hash, hash
             FROM audit_events WHERE project_id = $1 AND seq = $2`,
            [c.chain, c.last],
          );
          assert.ok(row);
          const f = { ...rowFields(row), seq: c.last + 1, comment: 'slipped in', prevHash: row.hash };
          await db.query(
            `INSERT INTO audit_events (project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
               environment_key, before, after, comment, request_id, prev_hash, hash)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
            [
              f.projectId,
              f.seq,
              f.at,
              f.actorType,
              f.actorId,
              f.actorName,
              f.action,
              f.resourceType,
              f.resourceKey,
              f.environmentKey,
              JSON.stringify(f.before),
              JSON.stringify(f.after),
              f.comment,
              f.requestId,
              f.prevHash,
              eventHash(f),
            ],
          );
        },
        (c) => [['t', c.last + 1, 'head-mismatch']],
      );
      tamper(
        'the chain head deleted',
        (db, c) => db.query('DELETE FROM audit_heads WHERE chain = $1', [c.chain]),
        (c) => [['t', c.last, 'head-missing']],
      );
    });
  });
}

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('vexil audit verify (the CLI)', {
  skip: existsSync(mainJs) ? undefined : 'build first: packages/server/dist/main.js is missing',
}, () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vexil-audit-cli-'));
    const db = await openPglite(dir);
    const vexil = await createVexil({ db });
    const first = await bootstrapIfEmpty(db, vexil.projects, {
      adminEmail: 'a@example.com',
      adminPassword: 'a long password',
    });
    const headers = { authorization: `Bearer ${first?.adminToken}`, 'content-type': 'application/json' };
    const post = async (url: string, body: unknown) => {
      const res = await vexil.http.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });
      assert.ok(res.statusCode < 300, res.body);
    };
    await post('/api/v1/projects', { key: 'cli', name: 'CLI' });
    for (let i = 0; i < 4; i++)
      await post('/api/v1/projects/cli/flags', { key: `f${i}`, name: `F${i}`, comment: `why ${i}` });
    await vexil.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const env = () => ({ VEXIL_DATA_DIR: dir, DATABASE_URL: '' });

  it('exits 0 on an intact embedded store and 1 naming the chain, seq and reason once a row is edited', async () => {
    const ok = await run(['audit', 'verify'], env());
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /ok +project cli: \d+ events/);
    assert.match(ok.stdout, /3 chains, \d+ events checked in [\d.]+ s: intact\./);

    const db = await openPglite(dir);
    await disableTrigger(db);
    const [edited] = await db.query<{ seq: number }>(
      `UPDATE audit_events SET comment = 'approved'
       WHERE action = 'flag.create' AND resource_key = 'f1' AND project_id = (SELECT id FROM projects WHERE key = 'cli') RETURNING seq`,
    );
    await db.close();
    const seq = Number(edited?.seq);

    const bad = await run(['audit', 'verify'], env());
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(
      bad.stdout,
      new RegExp(
        `TAMPERED +project cli at seq ${seq}: edited: event ${seq} \\(id \\d+\\) was changed after it was written`,
      ),
    );
    assert.match(bad.stdout, /1 tampered \(project cli\)/);
    const other = await run(['audit', 'verify', '--project', 'default'], env());
    assert.equal(other.code, 0, other.stdout + other.stderr);
    const one = await run(['audit', 'verify', '--project=cli'], env());
    assert.equal(one.code, 1);
    const unknown = await run(['audit', 'verify', '--project', 'nope'], env());
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no project "nope"/);
  });

  it('refuses a missing data directory and unknown subcommands (exit 2)', async () => {
    const missing = await run(['audit', 'verify'], { VEXIL_DATA_DIR: join(dir, 'nope'), DATABASE_URL: '' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No embedded store/);
    const usage = await run(['audit', 'frobnicate'], env());
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: vexil audit verify/);
  });

  it('draws a progress bar on a terminal and prints a line per 100k events otherwise', async () => {
    const lines: string[] = [];
    const drawn: string[] = [];
    const io = {
      out: (l: string) => lines.push(l),
      err: (l: string) => lines.push(l),
      tty: true,
      writeErr: (c: string) => drawn.push(c),
    };
    const code = await auditCommand(
      ['verify', '--project', 'default', '--batch', '1'],
      configFromEnv({ VEXIL_DATA_DIR: dir }),
      io,
    );
    assert.equal(code, 0);
    assert.ok(
      drawn.some((c) => /\[#+\.*\] +\d+% \d+ \/ \d+ events {2}project default/.test(c)),
      JSON.stringify(drawn),
    );
    assert.equal(drawn.at(-1), '\r\x1b[K');
    assert.match(lines.at(-1) ?? '', /^1 chain, \d+ events checked in [\d.]+ s: intact\.$/);
  });
});

const pgKind = (await storeKinds()).find((k) => k.name === 'postgres') as StoreKind;
describe('vexil audit verify on PostgreSQL (the CLI)', {
  skip: pgKind.skip ?? (existsSync(mainJs) ? undefined : 'build first'),
}, () => {
  it('reads DATABASE_URL and reports a deleted event', async () => {
    const s = await startTestServer(pgKind);
    try {
      await seedChain(s);
      const [{ schema } = { schema: '' }] = await s.db.query<{ schema: string }>('SELECT current_schema() AS schema');
      const url = new URL(process.env.DATABASE_URL as string);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const ok = await run(['audit', 'verify'], { DATABASE_URL: url.toString() });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /\(PostgreSQL\)/);
      await disableTrigger(s.db);
      await s.db.query(
        "DELETE FROM audit_events WHERE seq = 2 AND project_id = (SELECT id FROM projects WHERE key = 't')",
      );
      const bad = await run(['audit', 'verify'], { DATABASE_URL: url.toString() });
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(
        bad.stdout,
        /TAMPERED +project t at seq 2: missing: seq 2 is missing \(deleted\); the chain resumes at seq 3/,
      );
    } finally {
      await s.close();
    }
  });
});
