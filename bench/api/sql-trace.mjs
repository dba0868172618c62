// Diagnostic preload for the server child (node --import bench/api/sql-trace.mjs …), used by
// `run.mjs --trace-sql`: times every SQL statement (pg and PGlite), every PGlite transaction, GC
// pauses and each HTTP request as the server sees it, and attributes SQL time to the request that
// issued it. Writes a JSON summary to $VEXIL_BENCH_SQL_TRACE when the process exits. It changes no
// behaviour of the server, only wraps the drivers' query methods.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const out = process.env.VEXIL_BENCH_SQL_TRACE;
const als = new AsyncLocalStorage();
const REQ = Symbol('bench.request');

/** Statement text → durations; route → per-request figures. */
const statements = new Map();
const routes = new Map();
const transactions = [];
const gcPauses = [];
const gcByKind = {};
const GC_KIND = { 1: 'minor (scavenge)', 2: 'major (mark-compact)', 4: 'incremental marking', 8: 'weak callbacks' };
let tracing = false;

const normalize = (text) => text.replace(/\s+/g, ' ').trim();
const routeOf = (method, url) =>
  `${method} ${url
    .split('?')[0]
    .replace(/\/flags\/[^/]+/, '/flags/:flag')
    .replace(/\/environments\/[^/]+/, '/environments/:env')}`;

function recordStatement(text, ms) {
  if (!tracing) return;
  const key = normalize(String(text ?? '?'));
  const s = statements.get(key);
  if (s) s.push(ms);
  else statements.set(key, [ms]);
  const ctx = als.getStore();
  if (ctx) {
    ctx.sqlMs += ms;
    ctx.statements++;
  }
}

// --- HTTP requests as the server sees them (from the 'request' event to the response's finish).
subscribe('http.server.request.start', ({ request }) => {
  // The health check the benchmark sends first starts the traced phase: start-up is not counted.
  if (request.url === '/health') tracing = true;
  const ctx = { t0: performance.now(), sqlMs: 0, statements: 0, route: routeOf(request.method, request.url) };
  request[REQ] = ctx;
  als.enterWith(ctx);
});
subscribe('http.server.response.finish', ({ request }) => {
  const ctx = request[REQ];
  if (!ctx || !tracing) return;
  const ms = performance.now() - ctx.t0;
  let r = routes.get(ctx.route);
  if (!r) {
    r = { serverMs: [], sqlMs: [], statements: [] };
    routes.set(ctx.route, r);
  }
  r.serverMs.push(ms);
  r.sqlMs.push(ctx.sqlMs);
  r.statements.push(ctx.statements);
});

// --- GC pauses.
new PerformanceObserver((list) => {
  if (!tracing) return;
  for (const e of list.getEntries()) {
    gcPauses.push(e.duration);
    const kind = GC_KIND[e.detail?.kind] ?? String(e.detail?.kind);
    if (!gcByKind[kind]) gcByKind[kind] = [];
    gcByKind[kind].push(e.duration);
  }
}).observe({ entryTypes: ['gc'] });

// --- pg: every statement goes through Client.prototype.query (the pool's too, callback form).
try {
  const { default: pg } = await import('pg');
  const orig = pg.Client.prototype.query;
  pg.Client.prototype.query = function traced(config, values, callback) {
    const text = typeof config === 'string' ? config : config?.text;
    const t0 = performance.now();
    let cb = callback;
    let vals = values;
    if (typeof vals === 'function') {
      cb = vals;
      vals = undefined;
    }
    if (typeof cb === 'function') {
      return orig.call(this, config, vals, (err, res) => {
        recordStatement(text, performance.now() - t0);
        cb(err, res);
      });
    }
    const p = orig.call(this, config, vals);
    if (p && typeof p.then === 'function')
      return p.then(
        (r) => {
          recordStatement(text, performance.now() - t0);
          return r;
        },
        (e) => {
          recordStatement(text, performance.now() - t0);
          throw e;
        },
      );
    return p;
  };
} catch {}

// --- PGlite: root queries, and the queries of a transaction's `tx` (BEGIN/COMMIT run inside
// transaction(), so a transaction's own overhead is its wall time minus its statements).
try {
  const { PGlite } = await import('@electric-sql/pglite');
  const proto = PGlite.prototype;
  const origQuery = proto.query;
  proto.query = async function traced(text, params, opts) {
    const t0 = performance.now();
    try {
      return await origQuery.call(this, text, params, opts);
    } finally {
      recordStatement(text, performance.now() - t0);
    }
  };
  const origTx = proto.transaction;
  proto.transaction = async function traced(fn) {
    const t0 = performance.now();
    let inner = 0;
    try {
      return await origTx.call(this, (tx) => {
        const wrapped = Object.create(tx);
        wrapped.query = async (text, params, opts) => {
          const q0 = performance.now();
          try {
            return await tx.query(text, params, opts);
          } finally {
            const ms = performance.now() - q0;
            inner += ms;
            recordStatement(text, ms);
          }
        };
        wrapped.exec = tx.exec;
        return fn(wrapped);
      });
    } finally {
      if (tracing) transactions.push({ ms: performance.now() - t0, statementsMs: inner });
    }
  };
} catch {}

const pct = (xs, p) => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1];
};
const r3 = (x) => (x === undefined ? undefined : Math.round(x * 1000) / 1000);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const brief = (xs) => ({
  n: xs.length,
  mean: r3(xs.length ? sum(xs) / xs.length : undefined),
  p50: r3(pct(xs, 50)),
  p99: r3(pct(xs, 99)),
  max: r3(pct(xs, 100)),
  total: r3(sum(xs)),
});

process.on('exit', () => {
  if (!out) return;
  const doc = {
    routes: Object.fromEntries(
      [...routes].map(([k, r]) => [
        k,
        {
          serverMs: brief(r.serverMs),
          sqlMs: brief(r.sqlMs),
          nonSqlMs: brief(r.serverMs.map((x, i) => x - (r.sqlMs[i] ?? 0))),
          statementsPerRequest: brief(r.statements),
        },
      ]),
    ),
    transactions: {
      wallMs: brief(transactions.map((t) => t.ms)),
      outsideStatementsMs: brief(transactions.map((t) => t.ms - t.statementsMs)),
    },
    gcPausesMs: brief(gcPauses),
    gcPausesByKindMs: Object.fromEntries(Object.entries(gcByKind).map(([k, xs]) => [k, brief(xs)])),
    memoryAtExitMiB: Object.fromEntries(
      Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round((v / 2 ** 20) * 10) / 10]),
    ),
    statements: [...statements]
      .map(([text, xs]) => ({ text: text.slice(0, 160), ...brief(xs) }))
      .sort((a, b) => b.total - a.total),
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 1)}\n`);
});
