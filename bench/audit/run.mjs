#!/usr/bin/env node
// Audit log benchmark: seeds 1,000,000 audit events, then times the audit query API's typical
// queries (median and p95 over repeated runs, through the HTTP pipeline: auth, validation, SQL,
// serialisation) on PostgreSQL and on the embedded PGlite store; and times `verifyAuditChains`
// over a valid 100,000-event chain. See bench/README.md. Usage:
//   npm run bench:audit                          (from the repo root: builds, then runs this)
//   node bench/audit/run.mjs [--events=1000000] [--runs=40] [--verify-events=100000]
//        [--stores=postgres,pglite] [--pglite-budget-s=600] [--explain] [--keep] [--out=FILE]
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its
// own that is dropped at the end (unless --keep).
//
// The seeded events are NOT a valid hash chain (hashes are filler; seq is the global row number,
// unique per chain but not contiguous): the query benchmark needs realistic rows and indexes, not
// valid hashes. The verify benchmark seeds its own valid chain, hashed with chain.ts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const dist = (p) => new URL(`../../packages/server/dist/${p}`, import.meta.url).href;
const { createVexil } = await import(dist('app.js'));
const { bootstrapIfEmpty } = await import(dist('bootstrap.js'));
const { openPostgres } = await import(dist('infra/sql/postgres.js'));
const { openPglite } = await import(dist('infra/sql/pglite.js'));
const { eventHash } = await import(dist('audit/chain.js'));
const { verifyAuditChains } = await import(dist('audit/verify.js'));
const { auditRangeSql, auditSql, parseAuditQuery, queryAudit } = await import(dist('audit/audit-query.js'));

function parseArgs(argv) {
  const o = {
    events: 1_000_000,
    runs: 40,
    verifyEvents: 100_000,
    stores: ['postgres', 'pglite'],
    pgliteBudgetS: 600,
    explain: false,
    keep: false,
    url: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    out: join(here, '..', 'results', 'audit-latest.json'),
  };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'events') o.events = Number(v);
    else if (k === 'runs') o.runs = Number(v);
    else if (k === 'verify-events') o.verifyEvents = Number(v);
    else if (k === 'stores') o.stores = v.split(',');
    else if (k === 'pglite-budget-s') o.pgliteBudgetS = Number(v);
    else if (k === 'explain') o.explain = true;
    else if (k === 'keep') o.keep = true;
    else if (k === 'out') o.out = v;
    else if (k === 'help' || k === 'h') {
      console.log(
        'usage: node bench/audit/run.mjs [--events=N] [--runs=N] [--verify-events=N] [--stores=postgres,pglite] [--pglite-budget-s=N] [--explain] [--keep] [--out=FILE]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const PROJECTS = 50;
const CHUNK = 100_000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const projectId = (i) => `bench-p${String(i).padStart(2, '0')}`;
const projectKey = (i) => `proj-${String(i).padStart(2, '0')}`;

/**
 * One chunk of events, all in SQL. Distribution: 50 projects, skewed (the largest holds ~14%,
 * the smallest ~0.3%) plus 0.5% installation-wide events; 100 resources per project (5,000 in
 * all; 80 flags, 15 segments, 5 environments), skewed towards a few hot flags; 200 actors,
 * skewed (the busiest ~7%), the last 40 API tokens; 20 actions consistent with the resource
 * type; times spread evenly over the past year in id order, as an append-only log is.
 */
const SEED_SQL = /* sql */ `
INSERT INTO audit_events (project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
  environment_key, before, after, comment, request_id, prev_hash, hash)
SELECT
  CASE WHEN inst THEN NULL ELSE 'bench-p' || lpad(p::text, 2, '0') END,
  g,
  $3::timestamptz + (g * $4::float8) * interval '1 millisecond',
  CASE WHEN a >= 160 THEN 'token' ELSE 'user' END,
  'bench-actor-' || a,
  CASE WHEN a >= 160 THEN 'ci token ' || a ELSE 'user' || a || '@example.com' END,
  action, rtype, rkey, env,
  CASE WHEN action LIKE '%.create' THEN NULL ELSE jsonb_build_object('key', rkey, 'on', k < 0.5, 'version', g % 97,
    'fallthrough', jsonb_build_object('variation', g % 2), 'rules', jsonb_build_array(jsonb_build_object('id', 'r' || (g % 7),
    'clauses', jsonb_build_array(jsonb_build_object('attribute', 'country', 'op', 'in', 'values', jsonb_build_array('de', 'fr')))))) END,
  CASE WHEN action LIKE '%.delete' OR action LIKE '%.revoke' THEN NULL ELSE jsonb_build_object('key', rkey, 'on', k >= 0.5, 'version', g % 97 + 1,
    'fallthrough', jsonb_build_object('variation', (g + 1) % 2), 'rules', jsonb_build_array(jsonb_build_object('id', 'r' || (g % 7),
    'clauses', jsonb_build_array(jsonb_build_object('attribute', 'country', 'op', 'in', 'values', jsonb_build_array('de', 'fr', 'it')))))) END,
  CASE WHEN c < 0.3 THEN 'rollout step ' || (g % 10) || ' approved in change review' ELSE '' END,
  md5(g::text),
  md5((g - 1)::text) || md5((g - 1)::text || 'x'),
  md5(g::text) || md5(g::text || 'x')
FROM (
  SELECT g, inst, p, r, a, k, c,
    CASE WHEN inst THEN (CASE WHEN k < 0.5 THEN 'user' ELSE 'token' END)
         WHEN r < 80 THEN 'flag' WHEN r < 95 THEN 'segment' ELSE 'environment' END AS rtype,
    CASE WHEN inst THEN (CASE WHEN k < 0.5 THEN 'user-' ELSE 'token-' END) || a
         WHEN r < 80 THEN 'flag-' || r WHEN r < 95 THEN 'segment-' || r ELSE 'env-' || r END AS rkey,
    CASE WHEN inst THEN (CASE WHEN k < 0.3 THEN 'user.create' WHEN k < 0.5 THEN 'user.update'
                              WHEN k < 0.8 THEN 'token.create' ELSE 'token.revoke' END)
         WHEN r < 80 THEN (CASE WHEN k < 0.6 THEN 'flag.config.update' WHEN k < 0.8 THEN 'flag.update' WHEN k < 0.9 THEN 'flag.create'
                                WHEN k < 0.95 THEN 'flag.archive' WHEN k < 0.98 THEN 'flag.restore' ELSE 'flag.delete' END)
         WHEN r < 95 THEN (CASE WHEN k < 0.7 THEN 'segment.update' WHEN k < 0.9 THEN 'segment.create' ELSE 'segment.delete' END)
         ELSE (CASE WHEN k < 0.4 THEN 'environment.update' WHEN k < 0.55 THEN 'environment.create' WHEN k < 0.6 THEN 'environment.delete'
                    WHEN k < 0.75 THEN 'sdkkey.create' WHEN k < 0.85 THEN 'sdkkey.revoke' WHEN k < 0.9 THEN 'membership.update'
                    WHEN k < 0.95 THEN 'project.update' ELSE 'project.create' END) END AS action,
    CASE WHEN NOT inst AND (r < 80 AND k < 0.6 OR r >= 80 AND r < 95) THEN
      (CASE WHEN e < 0.5 THEN 'production' WHEN e < 0.85 THEN 'staging' ELSE 'development' END) END AS env
  FROM (
    SELECT g, random() < 0.005 AS inst, floor(${PROJECTS} * power(random(), 2))::int AS p,
      floor(100 * power(random(), 1.5))::int AS r, floor(200 * power(random(), 2))::int AS a,
      random() AS k, random() AS c, random() AS e
    FROM generate_series($1::bigint, $2::bigint) g
  ) x
) y`;

async function seedEvents(db, events, start, budgetS) {
  const step = YEAR_MS / events;
  for (let i = 0; i < PROJECTS; i++) {
    await db.query('INSERT INTO projects (id, key, name) VALUES ($1, $2, $3)', [
      projectId(i),
      projectKey(i),
      `Bench ${i}`,
    ]);
  }
  const t0 = performance.now();
  for (let lo = 1, n = 0; lo <= events; lo += CHUNK, n++) {
    const hi = Math.min(events, lo + CHUNK - 1);
    // One connection for both: setseed makes random() repeatable for the insert that follows.
    await db.transaction(async (tx) => {
      await tx.query(`SELECT setseed(${(n % 100) / 100})`);
      await tx.query(SEED_SQL, [lo, hi, start.toISOString(), step]);
    });
    const elapsed = (performance.now() - t0) / 1000;
    const projected = (elapsed / hi) * events;
    process.stderr.write(`\r  seeded ${hi.toLocaleString('en')} events in ${elapsed.toFixed(0)} s`);
    if (budgetS !== undefined && projected > budgetS && hi < events) {
      process.stderr.write('\n');
      return {
        seeded: hi,
        seconds: elapsed,
        aborted: `seeding 1M events would take ~${Math.round(projected)} s (budget ${budgetS} s)`,
      };
    }
  }
  process.stderr.write('\n');
  const seedSeconds = (performance.now() - t0) / 1000;
  const a0 = performance.now();
  await db.query('VACUUM ANALYZE audit_events');
  await db.query('ANALYZE projects');
  return { seeded: events, seconds: seedSeconds, vacuumSeconds: (performance.now() - a0) / 1000 };
}

/** A deterministic stream of choices, so every store gets the same queries. */
function* lcg(seed) {
  let s = seed >>> 0;
  for (;;) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    yield s / 2 ** 32;
  }
}

/** The typical queries. Each call gives the next variant (another project, resource, actor or window). */
function cases(start, rnd) {
  const pick = (n) => Math.floor(rnd.next().value * n);
  // Projects as users see them: mostly the big ones (where queries are slowest), sometimes small.
  const proj = () => projectKey(Math.floor(PROJECTS * rnd.next().value ** 2));
  const week = () => {
    const from = start.getTime() + pick(358) * DAY_MS;
    return { from: new Date(from).toISOString(), to: new Date(from + 7 * DAY_MS).toISOString() };
  };
  return [
    { name: 'project: first page', scope: 'project', make: () => ({ project: proj(), q: {} }) },
    {
      name: 'project: resource (flag)',
      scope: 'project',
      make: () => ({ project: proj(), q: { resourceType: 'flag', resourceKey: `flag-${pick(80)}` } }),
    },
    {
      name: 'project: actor',
      scope: 'project',
      make: () => ({ project: proj(), q: { actor: `bench-actor-${pick(200)}` } }),
    },
    {
      name: 'project: action prefix',
      scope: 'project',
      make: () => ({
        project: proj(),
        q: { action: ['flag.', 'segment.', 'environment.', 'sdkkey.', 'project.'][pick(5)] },
      }),
    },
    {
      name: 'project: exact action',
      scope: 'project',
      make: () => ({ project: proj(), q: { action: 'flag.archive' } }),
    },
    { name: 'project: 7-day window', scope: 'project', make: () => ({ project: proj(), q: week() }) },
    {
      name: 'project: env + action + window',
      scope: 'project',
      make: () => ({ project: proj(), q: { environment: 'production', action: 'flag.config.update', ...week() } }),
    },
    { name: 'project: page 10 via cursor', scope: 'project', page: 10, make: () => ({ project: proj(), q: {} }) },
    { name: 'all: first page', scope: 'all', make: () => ({ q: {} }) },
    {
      name: 'all: resource (any project)',
      scope: 'all',
      make: () => ({ q: { resourceType: 'flag', resourceKey: `flag-${pick(80)}` } }),
    },
    { name: 'all: actor', scope: 'all', make: () => ({ q: { actor: `bench-actor-${pick(200)}` } }) },
    {
      name: 'all: action prefix',
      scope: 'all',
      make: () => ({ q: { action: ['flag.', 'segment.', 'user.', 'token.', 'project.'][pick(5)] } }),
    },
    { name: 'all: 7-day window', scope: 'all', make: () => ({ q: week() }) },
    { name: 'all: page 10 via cursor', scope: 'all', page: 10, make: () => ({ q: {} }) },
  ];
}

const urlOf = (c, v, cursor) => {
  const q = new URLSearchParams({ ...v.q, ...(cursor ? { cursor } : {}) });
  const base = c.scope === 'project' ? `/api/v1/projects/${v.project}/audit` : '/api/v1/audit';
  const s = q.toString();
  return s ? `${base}?${s}` : base;
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];

/** Each query through the HTTP pipeline (what a client sees) and through queryAudit alone (the SQL). */
async function measureQueries(vexil, db, token, start, runs) {
  const ids = new Map((await db.query('SELECT id, key FROM projects')).map((r) => [r.key, r.id]));
  const headers = { authorization: `Bearer ${token}` };
  const get = async (url) => {
    const res = await vexil.http.inject({ method: 'GET', url, headers });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body);
  };
  const rnd = lcg(42);
  const results = [];
  for (const c of cases(start, rnd)) {
    const times = [];
    const sqlTimes = [];
    let items = 0;
    for (let i = -3; i < runs; i++) {
      const v = c.make();
      let cursor;
      // Page N via cursor: fetch pages 1..N-1 untimed, as a client paging through would have.
      for (let p = 1; p < (c.page ?? 1); p++) cursor = (await get(urlOf(c, v, cursor))).nextCursor;
      const url = urlOf(c, v, cursor);
      const t0 = performance.now();
      const body = await get(url);
      const ms = performance.now() - t0;
      const filters = {
        ...parseAuditQuery({ ...v.q, ...(cursor ? { cursor } : {}) }),
        ...(c.scope === 'project' ? { chain: ids.get(v.project) } : {}),
      };
      const t1 = performance.now();
      const page = await queryAudit(db, filters);
      const sqlMs = performance.now() - t1;
      if (page.items.length !== body.items.length) throw new Error(`${c.name}: the API and queryAudit disagree`);
      if (i >= 0) {
        times.push(ms);
        sqlTimes.push(sqlMs);
        items += body.items.length;
      }
    }
    times.sort((a, b) => a - b);
    sqlTimes.sort((a, b) => a - b);
    results.push({
      query: c.name,
      medianMs: round(percentile(times, 0.5)),
      p95Ms: round(percentile(times, 0.95)),
      maxMs: round(times[times.length - 1]),
      sqlMedianMs: round(percentile(sqlTimes, 0.5)),
      sqlP95Ms: round(percentile(sqlTimes, 0.95)),
      avgItems: round(items / runs),
    });
  }
  return results;
}

async function explainAll(db, start) {
  const rnd = lcg(7);
  const ids = new Map((await db.query('SELECT id, key FROM projects')).map((r) => [r.key, r.id]));
  for (const c of cases(start, rnd)) {
    const v = c.make();
    const { project, ...rest } = v;
    const f = { ...parseAuditQuery(v.q), ...(c.scope === 'project' ? { chain: ids.get(v.project) } : {}) };
    const { text, params } = f.from || f.to ? auditRangeSql(f) : auditSql(f);
    const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params);
    console.log(`\n== ${c.name}  ${urlOf(c, { project, ...rest })}`);
    for (const r of plan) console.log(`   ${r['QUERY PLAN']}`);
  }
}

/** A valid chain of `n` events in one project, hashed with chain.ts in batches and bulk-inserted. */
async function seedValidChain(db, n) {
  const pid = 'bench-verify';
  await db.query('INSERT INTO projects (id, key, name) VALUES ($1, $2, $3)', [pid, 'verify', 'Verify bench']);
  const t0 = performance.now();
  let prevHash = '';
  const at0 = Date.now() - n * 1000;
  const BATCH = 5000;
  for (let lo = 1; lo <= n; lo += BATCH) {
    const cols = Array.from({ length: 16 }, () => []);
    for (let seq = lo; seq < Math.min(n + 1, lo + BATCH); seq++) {
      const r = seq % 97;
      const fields = {
        projectId: pid,
        seq,
        at: new Date(at0 + seq * 1000).toISOString(),
        actorType: 'user',
        actorId: `bench-actor-${seq % 200}`,
        actorName: `user${seq % 200}@example.com`,
        action: 'flag.config.update',
        resourceType: 'flag',
        resourceKey: `flag-${seq % 80}`,
        environmentKey: 'production',
        before: {
          key: `flag-${seq % 80}`,
          on: r % 2 === 0,
          version: r,
          fallthrough: { variation: 0 },
          rules: [{ id: `r${r % 7}` }],
        },
        after: {
          key: `flag-${seq % 80}`,
          on: r % 2 === 1,
          version: r + 1,
          fallthrough: { variation: 1 },
          rules: [{ id: `r${r % 7}` }],
        },
        comment: seq % 3 === 0 ? 'rollout step approved' : '',
        requestId: `req-${seq}`,
        prevHash,
      };
      const hash = eventHash(fields);
      const row = [
        fields.projectId,
        fields.seq,
        fields.at,
        fields.actorType,
        fields.actorId,
        fields.actorName,
        fields.action,
        fields.resourceType,
        fields.resourceKey,
        fields.environmentKey,
        JSON.stringify(fields.before),
        JSON.stringify(fields.after),
        fields.comment,
        fields.requestId,
        fields.prevHash,
        hash,
      ];
      for (const [i, v] of row.entries()) cols[i].push(v);
      prevHash = hash;
    }
    await db.query(
      `INSERT INTO audit_events (project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
         environment_key, before, after, comment, request_id, prev_hash, hash)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::text[], $11::jsonb[], $12::jsonb[], $13::text[], $14::text[], $15::text[], $16::text[])`,
      cols,
    );
  }
  await db.query('INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, $2, $3)', [pid, n, prevHash]);
  await db.query('ANALYZE audit_events');
  return (performance.now() - t0) / 1000;
}

async function measureVerify(db, n) {
  const seedS = await seedValidChain(db, n);
  const runs = [];
  let report;
  for (let i = 0; i < 3; i++) {
    report = await verifyAuditChains(db, { projectKey: 'verify' });
    if (!report.ok) throw new Error(`the seeded chain does not verify: ${JSON.stringify(report.chains[0]?.issue)}`);
    runs.push(report.ms);
  }
  runs.sort((a, b) => a - b);
  const ms = runs[1];
  return {
    events: report.events,
    seedSeconds: round(seedS),
    medianMs: round(ms),
    eventsPerSecond: Math.round(report.events / (ms / 1000)),
  };
}

async function runStore(kind, opts) {
  let db;
  let cleanup = async () => {};
  if (kind === 'postgres') {
    const schema = `bench_audit_${randomBytes(4).toString('hex')}`;
    db = await openPostgres({ url: opts.url, schema, max: 4 });
    cleanup = async () => {
      if (opts.keep) return console.error(`  kept schema ${schema}`);
      const admin = await openPostgres({ url: opts.url, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'vexil-bench-audit-'));
    db = await openPglite(dir);
    cleanup = async () => (opts.keep ? console.error(`  kept ${dir}`) : rmSync(dir, { recursive: true, force: true }));
  }
  const out = { store: kind };
  let vexil;
  try {
    vexil = await createVexil({ db });
    const first = await bootstrapIfEmpty(db, vexil.projects, {
      adminEmail: 'bench@example.com',
      adminPassword: 'bench password 1',
    });
    const start = new Date(Date.now() - YEAR_MS);
    console.error(`${kind}: seeding ${opts.events.toLocaleString('en')} audit events…`);
    const seed = await seedEvents(db, opts.events, start, kind === 'pglite' ? opts.pgliteBudgetS : undefined);
    out.seed = { events: seed.seeded, seconds: round(seed.seconds), vacuumSeconds: round(seed.vacuumSeconds ?? 0) };
    if (seed.aborted) {
      out.skipped = `queries not measured: ${seed.aborted}`;
    } else {
      const [{ size }] = await db.query("SELECT pg_size_pretty(pg_total_relation_size('audit_events')) AS size");
      out.seed.tableSize = size;
      if (opts.explain) await explainAll(db, start);
      console.error(`${kind}: measuring queries (${opts.runs} runs each)…`);
      out.queries = await measureQueries(vexil, db, first.adminToken, start, opts.runs);
    }
    console.error(`${kind}: verifying a ${opts.verifyEvents.toLocaleString('en')}-event chain…`);
    out.verify = await measureVerify(db, opts.verifyEvents);
  } finally {
    await vexil?.close().catch(() => {});
    if (!vexil) await db.close().catch(() => {});
    await cleanup();
  }
  return out;
}

const round = (x) => Math.round(x * 100) / 100;
const NOTE =
  'medianMs/p95Ms: through the HTTP pipeline (Fastify inject: auth, validation, SQL, JSON); sqlMedianMs/sqlP95Ms: queryAudit alone. ' +
  'Seeded events are not a valid hash chain; the verify run seeds its own valid chain.';

function printTable(results) {
  const byStore = Object.fromEntries(results.map((r) => [r.store, r]));
  const stores = results.map((r) => r.store);
  const names = [...new Set(results.flatMap((r) => (r.queries ?? []).map((q) => q.query)))];
  const head = ['query (ms)', ...stores.flatMap((s) => [`${s} API p50`, 'API p95', 'SQL p50', 'SQL p95'])];
  const rows = names.map((n) => [
    n,
    ...stores.flatMap((s) => {
      const q = byStore[s].queries?.find((x) => x.query === n);
      return q ? [q.medianMs, q.p95Ms, q.sqlMedianMs, q.sqlP95Ms].map((x) => x.toFixed(2)) : ['skipped', '', '', ''];
    }),
  ]);
  const v = (s) => byStore[s].verify;
  rows.push([
    'verifyAuditChains, valid chain',
    ...stores.flatMap((s) =>
      v(s)
        ? [
            `${v(s).events.toLocaleString('en')} ev`,
            `${v(s).medianMs.toFixed(0)} ms`,
            `${v(s).eventsPerSecond.toLocaleString('en')}/s`,
            '',
          ]
        : ['-', '', '', ''],
    ),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    `| ${r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${w.map((x, i) => (i === 0 ? `${'-'.repeat(x + 1)}-` : `${'-'.repeat(x + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  for (const r of results) {
    console.log(
      `${r.store}: seeded ${r.seed?.events?.toLocaleString('en')} events in ${r.seed?.seconds} s (+ VACUUM ANALYZE ${r.seed?.vacuumSeconds} s)` +
        `${r.seed?.tableSize ? `, table + indexes ${r.seed.tableSize}` : ''}${r.skipped ? `; ${r.skipped}` : ''}`,
    );
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const results = [];
  for (const kind of opts.stores) {
    if (kind === 'postgres') {
      try {
        const probe = await openPostgres({ url: opts.url, max: 1 });
        await probe.query('SELECT 1').finally(() => probe.close());
      } catch (err) {
        results.push({ store: 'postgres', skipped: `PostgreSQL at ${opts.url} is not reachable: ${err.message}` });
        continue;
      }
    }
    results.push(await runStore(kind, opts));
  }
  printTable(results.filter((r) => r.seed));
  for (const r of results.filter((x) => !x.seed)) console.log(`${r.store}: skipped: ${r.skipped}`);
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    events: opts.events,
    runs: opts.runs,
    verifyEvents: opts.verifyEvents,
    loadAverage: loadavg().map((x) => round(x)),
    note: NOTE,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify({ meta, results }, null, 2)}\n`);
  console.log(`\nwrote ${relative(repoRoot, opts.out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
