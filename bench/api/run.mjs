#!/usr/bin/env node
// API benchmark: the real `vexil` server as a child process, on PGlite and on PostgreSQL.
// Flag-update latency (sequential and concurrent), start-to-ready time with 1,000 flags, idle RSS.
// See bench/README.md. Usage:
//   npm run bench:api                       (from the repo root: builds, then runs this)
//   node bench/api/run.mjs [--stores=pglite,postgres] [--flags=1000] [--updates=2000] [--warmup=200]
//        [--concurrency=8] [--concurrent-updates=2000] [--restarts=5] [--idle-ms=5000] [--quick]
//        [--cpu-prof] [--trace-sql] [--node-args="--v8-flag …"] [--quiet-wait=120] [--attempts=1]
//        [--restart-attempts=3] [--strict]
//        [--out=bench/results/api-latest.json]
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the PostgreSQL server; the
// benchmark creates a database vexil_bench_<random> there and drops it at the end.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from './client.mjs';
import { cpuPhase, waitQuiet } from './cpu.mjs';
import { DEFAULT_URL, freshDatabase } from './pgdb.mjs';
import { printSummary, summarizeProfile } from './profile-summary.mjs';
import { BUSY_OTHERS, render, STORE_NAMES, TARGETS, UNLEASH, verdicts } from './report.mjs';
import { MAIN, memoryOf, ROOT, sleep, startServer, stopAll, stopServer } from './server.mjs';
import { median, note, summarize } from './stats.mjs';
import { flagKey, healthFloor, readFloor, seed, updates } from './workload.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = {
    stores: ['pglite', 'postgres'],
    flags: 1000,
    seedConcurrency: 8,
    updates: 2000,
    warmup: 200,
    concurrency: 8,
    concurrentUpdates: 2000,
    restarts: 5,
    idleMs: 5000,
    strict: false,
    cpuProf: false,
    traceSql: false,
    nodeArgs: [],
    quietWaitS: 120,
    // Repeating an update phase runs it on a store with more history, which changes the figures
    // (see bench/README.md), so update phases run once by default; a restart writes nothing.
    attempts: 1,
    restartAttempts: 3,
    out: join(here, '..', 'results', 'api-latest.json'),
  };
  const num = (k, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} needs a whole number, not "${v}"`);
    return n;
  };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'stores') opts.stores = v.split(',');
    else if (k === 'flags') opts.flags = num(k, v);
    else if (k === 'updates') opts.updates = num(k, v);
    else if (k === 'warmup') opts.warmup = num(k, v);
    else if (k === 'concurrency') opts.concurrency = num(k, v);
    else if (k === 'concurrent-updates') opts.concurrentUpdates = num(k, v);
    else if (k === 'restarts') opts.restarts = num(k, v);
    else if (k === 'idle-ms') opts.idleMs = num(k, v);
    else if (k === 'quick')
      Object.assign(opts, { flags: 200, updates: 300, warmup: 50, concurrentUpdates: 300, restarts: 2, idleMs: 1000 });
    else if (k === 'quiet-wait') opts.quietWaitS = num(k, v);
    else if (k === 'attempts') opts.attempts = Math.max(1, num(k, v));
    else if (k === 'restart-attempts') opts.restartAttempts = Math.max(1, num(k, v));
    else if (k === 'strict') opts.strict = true;
    else if (k === 'cpu-prof') opts.cpuProf = true;
    else if (k === 'trace-sql') opts.traceSql = true;
    else if (k === 'node-args') opts.nodeArgs = a.slice('--node-args='.length).split(/\s+/).filter(Boolean);
    else if (k === 'out') opts.out = v;
    else if (k === 'help' || k === 'h') {
      console.log(
        'usage: node bench/api/run.mjs [--stores=pglite,postgres] [--flags=N] [--updates=N] [--warmup=N] [--concurrency=N] [--concurrent-updates=N] [--restarts=N] [--idle-ms=N] [--quick] [--cpu-prof] [--trace-sql] [--node-args="--flag …"] [--quiet-wait=S] [--attempts=N] [--restart-attempts=N] [--strict] [--out=FILE]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  for (const s of opts.stores) if (!STORE_NAMES[s]) throw new Error(`unknown store ${s}: pglite or postgres`);
  if (opts.flags < 1 || opts.restarts < 1 || opts.updates < 1) throw new Error('--flags, --updates, --restarts ≥ 1');
  return opts;
}

function machineInfo() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const cpu = cpus();
  // The build measured: others rebuild packages/server/dist while they work, so say when it was built.
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dirname(MAIN));
  return {
    serverBuiltAt: new Date(newest).toISOString(),
    cpu: cpu[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    cpus: cpu.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    os: `${process.platform} ${release()}`,
    commit: git('rev-parse', 'HEAD'),
    // Other work in progress changes what is measured: record which server files differ from the commit.
    uncommittedServerFiles: git('status', '--porcelain', '--', 'packages')?.split('\n').filter(Boolean) ?? [],
  };
}

const round = (x, d = 3) => (x === undefined ? undefined : Math.round(x * 10 ** d) / 10 ** d);
const roundStats = (s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : round(v)]));

/** Every phase for one store. `db` is the fresh PostgreSQL database, undefined for PGlite. */
async function benchStore(store, opts, db, cleanups) {
  const label = STORE_NAMES[store];
  const dir = mkdtempSync(join(tmpdir(), `vexil-bench-${store}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const serverOpts = { dataDir, databaseUrl: db?.url, nodeArgs: opts.nodeArgs };
  const live = new Set();
  cleanups.push(async () => {
    for (const s of live) await stopServer(s, 3000).catch(() => {});
  });
  const start = async (extra = {}) => {
    const s = await startServer({ ...serverOpts, ...extra });
    live.add(s);
    return s;
  };
  const stop = async (s) => {
    const r = await stopServer(s);
    live.delete(s);
    if (r.forced) note(`  ${label}: server ${s.pid} ignored SIGTERM for 15 s and was killed`);
    return r;
  };

  note(`${label}: first start (${db ? `database ${db.name}` : `fresh data dir ${dataDir}`})`);
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const first = await start();
  const token = first.token;
  if (!token) throw new Error(`no "API token vxa_…" line on first start; stdout:\n${first.stdout.join('\n')}`);
  note(`  ready in ${first.readyMs.toFixed(0)} ms (first start: creates the store and the administrator)`);
  const client = createClient({ base: first.base, token, sockets: Math.max(opts.concurrency, opts.seedConcurrency) });
  let result;
  const quietness = {};
  /** On a shared machine, waits (up to --quiet-wait s) for other processes to settle before a timed phase. */
  const quiet = async (name) => {
    if (!opts.quietWaitS) return;
    let said = false;
    quietness[name] = await waitQuiet({
      timeoutMs: opts.quietWaitS * 1000,
      onWait: (busy) => {
        if (!said)
          note(`  ${label}: waiting for other processes to settle before "${name}" (${busy.toFixed(2)} cores busy)`);
        said = true;
      },
    });
    if (!quietness[name].quiet)
      note(`  ${label}: still busy (${quietness[name].busy} cores) after ${opts.quietWaitS} s; measuring anyway`);
  };
  const dbPids = db ? () => db.backendPids().catch(() => []) : undefined;
  const cpu = {};
  const timed = async (name, fn) => {
    await quiet(name);
    const phase = cpuPhase(first.pid, dbPids);
    const value = await fn();
    cpu[name] = await phase.end();
    return value;
  };
  const attempts = {};
  /**
   * A timed phase, repeated (up to --attempts) while other processes used more than BUSY_OTHERS
   * cores during it; the least disturbed attempt is kept, every attempt is in the JSON.
   */
  const attempt = async (name, fn) => {
    const tries = [];
    for (let k = 0; k < opts.attempts; k++) {
      const value = await timed(name, fn);
      tries.push({ value, cpu: cpu[name] });
      if (cpu[name].others <= BUSY_OTHERS) break;
      if (k + 1 < opts.attempts)
        note(`  ${label}: other processes used ${cpu[name].others} cores during "${name}"; repeating it`);
    }
    const best = tries.reduce((a, b) => (b.cpu.others < a.cpu.others ? b : a));
    cpu[name] = best.cpu;
    attempts[name] = tries.map((t) => ({
      cpu: t.cpu,
      stats: roundStats(summarize(t.value.samples)),
      kept: t === best,
    }));
    return best.value;
  };
  try {
    const health = await healthFloor(client);
    const seeded = await timed('seed', () =>
      seed(client, { count: opts.flags, concurrency: opts.seedConcurrency, label }),
    );
    const read = await readFloor(client, opts.flags);
    const seq = await attempt('sequential', () =>
      updates(client, {
        count: opts.updates,
        warmup: opts.warmup,
        concurrency: 1,
        flags: opts.flags,
        seed: 42,
        label,
      }),
    );
    const conc = await attempt('concurrent', () =>
      updates(client, {
        count: opts.concurrentUpdates,
        warmup: opts.warmup,
        concurrency: opts.concurrency,
        flags: opts.flags,
        seed: 4242,
        label,
      }),
    );
    const afterWork = memoryOf(first.pid);
    result = {
      firstStart: { readyMs: round(first.readyMs), reportedMs: first.reportedMs },
      floors: { health: roundStats(summarize(health)), read: roundStats(summarize(read)) },
      seed: {
        count: seeded.count,
        concurrency: seeded.concurrency,
        wallMs: round(seeded.wallMs),
        flagsPerSec: round(seeded.flagsPerSec, 1),
        post: roundStats(summarize(seeded.createMs)),
        put: roundStats(summarize(seeded.putMs)),
      },
      sequential: {
        count: seq.count,
        warmup: seq.warmup,
        wallMs: round(seq.wallMs),
        throughputPerSec: round(seq.throughputPerSec, 1),
        stats: roundStats(summarize(seq.samples)),
        // CPU time per update: unlike latency, barely affected by other processes on the machine.
        serverCpuMsPerUpdate: round((cpu.sequential.server * seq.wallMs) / seq.count),
        dbCpuMsPerUpdate: round((cpu.sequential.database * seq.wallMs) / seq.count),
        samplesMs: seq.samples.map((x) => round(x)),
      },
      concurrent: {
        count: conc.count,
        warmup: conc.warmup,
        concurrency: conc.concurrency,
        wallMs: round(conc.wallMs),
        throughputPerSec: round(conc.throughputPerSec, 1),
        stats: roundStats(summarize(conc.samples)),
        serverCpuMsPerUpdate: round((cpu.concurrent.server * conc.wallMs) / conc.count),
        dbCpuMsPerUpdate: round((cpu.concurrent.database * conc.wallMs) / conc.count),
        samplesMs: conc.samples.map((x) => round(x)),
      },
      cpu,
      quietness,
      attempts,
      afterWork: Object.fromEntries(Object.entries(afterWork).map(([k, v]) => [k, round(v, 1)])),
    };
  } finally {
    client.close();
  }
  result.firstStop = await stop(first);

  // Restarts on the same store, now holding the flags.
  const runs = [];
  let idle;
  for (let i = 0; i < opts.restarts; i++) {
    await quiet(`restart ${i + 1}`);
    // A start during which other processes were busy is repeated (up to --restart-attempts); the JSON keeps it.
    const discarded = [];
    let s = await start();
    while (s.othersCores > BUSY_OTHERS && discarded.length + 1 < opts.restartAttempts) {
      note(`  ${label}: other processes used ${s.othersCores} cores during restart ${i + 1}; repeating it`);
      discarded.push({ readyMs: round(s.readyMs), othersCores: s.othersCores });
      await stop(s);
      s = await start();
    }
    runs.push({
      readyMs: round(s.readyMs),
      healthMs: round(s.healthMs),
      readyLineMs: round(s.readyLineMs),
      reportedMs: s.reportedMs,
      spawnMs: round(s.spawnedMs),
      serverCores: s.ownCores,
      othersCores: s.othersCores,
      discarded,
    });
    note(`${label}: restart ${i + 1}/${opts.restarts} ready in ${s.readyMs.toFixed(0)} ms`);
    if (i === opts.restarts - 1) {
      note(`${label}: idle ${opts.idleMs / 1000} s, then reading /proc/${s.pid}/status`);
      const atReady = memoryOf(s.pid);
      await sleep(opts.idleMs);
      idle = { ...memoryOf(s.pid), atReadyRssMiB: atReady.rssMiB, idleMs: opts.idleMs };
      idle = Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, round(v, 1)]));
      // The flags are really there (after the memory reading, so it does not count).
      const c = createClient({ base: s.base, token, sockets: 1 });
      try {
        await c.must(200, 'GET', `/api/v1/projects/default/flags/${flagKey(opts.flags - 1)}/environments/production`);
      } finally {
        c.close();
      }
    }
    runs.at(-1).stop = await stop(s);
  }
  const readies = runs.map((r) => r.readyMs);
  result.restarts = {
    runs,
    medianMs: round(median(readies)),
    minMs: round(Math.min(...readies)),
    maxMs: round(Math.max(...readies)),
    reportedMedianMs: median(runs.map((r) => r.reportedMs)),
  };
  result.idle = idle;
  result.loadavg = { atStart: loadAtStart, atEnd: loadavg().map((x) => round(x, 2)) };

  if (opts.cpuProf || opts.traceSql)
    result.diagnostics = await diagnose(store, opts, { serverOpts, token, start, stop, dir });
  return result;
}

/**
 * Optional, after the measured phases (instrumentation never touches the figures above): one more
 * start with --cpu-prof and/or an SQL tracer preloaded, the sequential update run again, then stop.
 */
async function diagnose(store, opts, { token, start, stop }) {
  const label = STORE_NAMES[store];
  const outDir = join(ROOT, 'bench', 'results', `api-diag-${store}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const nodeArgs = [...opts.nodeArgs];
  const env = {};
  if (opts.cpuProf) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${outDir}`, '--cpu-prof-interval=100');
  if (opts.traceSql) {
    nodeArgs.push('--import', join(here, 'sql-trace.mjs'));
    env.VEXIL_BENCH_SQL_TRACE = join(outDir, 'sql-trace.json');
  }
  note(`${label}: diagnostic run (${nodeArgs.join(' ')})`);
  const s = await start({ nodeArgs, env });
  const client = createClient({ base: s.base, token, sockets: 1 });
  let seq;
  try {
    if (opts.traceSql) await client.must(200, 'GET', '/health'); // marks the start of the traced phase below
    seq = await updates(client, {
      count: opts.updates,
      warmup: opts.warmup,
      concurrency: 1,
      flags: opts.flags,
      seed: 42,
      label: `${label} (instrumented)`,
    });
  } finally {
    client.close();
    await stop(s);
  }
  const diag = { dir: relative(ROOT, outDir), instrumentedSequential: roundStats(summarize(seq.samples)) };
  if (opts.cpuProf) {
    const file = readdirSync(outDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const profile = JSON.parse(readFileSync(join(outDir, file), 'utf8'));
      // The profile's clock starts with the process; the ready line splits start-up from the update run.
      const startup = summarizeProfile(profile, { toMs: s.readyLineMs });
      const work = summarizeProfile(profile, { fromMs: s.readyLineMs });
      const text = `${printSummary(startup, `${label} start-up (to the ready line): `)}\n\n${printSummary(work, `${label} after ready (warm-up + ${opts.updates} sequential updates): `)}\n`;
      writeFileSync(join(outDir, 'profile-summary.txt'), text);
      diag.profile = { file: relative(ROOT, join(outDir, file)), startup, updates: work };
      note(`  profile summary: ${relative(ROOT, join(outDir, 'profile-summary.txt'))}`);
    }
  }
  return diag;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(MAIN)) throw new Error(`${relative(ROOT, MAIN)} is missing: run npm run build first`);
  const machine = machineInfo();
  const results = {};
  const cleanups = [];
  /** The running store's cleanups (servers, temp dir), also run on an interrupt. */
  let current = [];
  let interrupted = false;
  const onSignal = async (sig) => {
    if (interrupted) return;
    interrupted = true;
    note(`\n${sig}: stopping servers and cleaning up`);
    await stopAll();
    for (const c of [...current.reverse(), ...cleanups.reverse()]) await Promise.resolve(c()).catch(() => {});
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (const store of opts.stores) {
    if (interrupted) break;
    let db;
    if (store === 'postgres') {
      const base = process.env.DATABASE_URL || DEFAULT_URL;
      db = await freshDatabase(base);
      if (db.skip) {
        note(`PostgreSQL skipped: ${db.skip}`);
        results[store] = { skip: db.skip };
        continue;
      }
      cleanups.push(db.drop);
    }
    const mine = [];
    current = mine;
    try {
      results[store] = await benchStore(store, opts, db, mine);
      if (db) results[store].database = { version: db.version, settings: db.settings, url: db.display };
    } catch (err) {
      if (!interrupted) note(`${STORE_NAMES[store]} failed: ${err.stack ?? err}`);
      results[store] = { error: String(err.message ?? err).split('\n')[0], detail: String(err.stack ?? err) };
    } finally {
      for (const c of mine.reverse()) await Promise.resolve(c()).catch(() => {});
      if (db) {
        await db.drop().catch((e) => note(`could not drop ${db.name}: ${e.message}`));
        cleanups.splice(cleanups.indexOf(db.drop), 1);
      }
    }
  }

  // Interrupted: the signal handler cleans up and exits; a partial run writes no results.
  if (interrupted) return new Promise(() => {});
  let text;
  try {
    text = render({ results, opts, machine });
    console.log(`\n${text}`);
  } catch (err) {
    note(`could not render the report (the JSON is still written): ${err.stack ?? err}`);
  }

  const verdictsByStore = Object.fromEntries(
    Object.entries(results)
      .filter(([, r]) => !r.skip && !r.error)
      .map(([s, r]) => [s, verdicts(s, r)]),
  );
  const doc = {
    benchmark: 'bench/api',
    at: new Date().toISOString(),
    machine,
    options: { ...opts, out: undefined },
    method: {
      latency:
        'client-side, node:http keep-alive agent on 127.0.0.1, request issued to last response byte; nearest-rank percentiles',
      update:
        'PATCH /api/v1/projects/default/flags/<key>/environments/production {instructions:[turnFlagOn|turnFlagOff]} alternating, seeded random flags',
      ready:
        'spawn() to the later of the "Vexil is ready" stdout line and the first 200 from GET /health (polled every 5 ms)',
      memory: 'VmRSS from /proc/<pid>/status of the server process, after the last restart and an idle period',
    },
    targets: TARGETS,
    unleashReference: UNLEASH,
    verdicts: verdictsByStore,
    results,
    report: text,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 1)}\n`);
  renameSync(tmp, opts.out);
  note(`\nraw results: ${relative(process.cwd(), opts.out)}`);

  const failed = Object.values(verdictsByStore).some((v) => Object.values(v).some((ok) => !ok));
  const errored = Object.values(results).some((r) => r.error);
  process.exitCode = errored ? 1 : opts.strict && failed ? 2 : 0;
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
