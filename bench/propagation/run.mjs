#!/usr/bin/env node
// bench/propagation: how long a flag change takes from the API's answer to every SSE client,
// and how much server memory an idle stream costs. Real processes: one `--role api` node and two
// `--role stream` nodes on a fresh PostgreSQL database and Redis; a separate load process (load.mjs)
// holds the N streams, half on each stream node. See bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import {
  adminApi,
  cpuMs,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  freshDatabase,
  log,
  machine,
  machineBusyMs,
  nowMs,
  ROOT,
  rssKiB,
  sdkCredentials,
  sleep,
  startNode,
  stopNode,
  summary,
  table,
  waitQuiet,
} from './cluster.mjs';
import { SseConnection } from './load.mjs';
import { startLoad } from './load-control.mjs';

const cores = () => os.cpus().length;

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
if (args.help) {
  console.log(`node bench/propagation/run.mjs [options]
  --n=1000,10000        connection counts (half on each stream node)
  --changes=10          measured flag changes per N (plus --warmup-changes=1 not counted)
  --pause-ms=1000       pause between changes
  --settle-ms=3000      idle time after connecting, before reading RSS
  --concurrency=200     connections being opened at once
  --launcher=auto|cli|shim   auto: the real program, unless a probe shows it does not propagate
                        api → stream (then bench/propagation/vexil-node.mjs, see bench/README.md)
  --quiet-wait=600      before each N, wait up to this many seconds for the machine to be ≤ 25 % busy
                        with other processes (0: do not wait); what was seen is in the JSON
  --load=c|node         the load process: sse-load.c (default; built with the machine's cc) or load.mjs
  --cpu-prof            V8 CPU profiles of the stream nodes and the load process in
                        bench/results/profiles/propagation-N<n>-{stream-a,stream-b,load}/ (git-ignored);
                        summarise: node bench/eval/profile-summary.mjs <dir>
  --strict              exit 2 when a target is missed
  --out=FILE            default bench/results/propagation-latest.json
Environment: DATABASE_URL (default ${DEFAULT_DATABASE_URL}; a database vexil_bench_<hex> is created
and dropped), REDIS_URL (default ${DEFAULT_REDIS_URL}).`);
  process.exit(0);
}
const NS = String(args.n ?? '1000,10000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const CHANGES = Number(args.changes ?? 10);
const WARMUP_CHANGES = Number(args['warmup-changes'] ?? 1);
const PAUSE_MS = Number(args['pause-ms'] ?? 1000);
const SETTLE_MS = Number(args['settle-ms'] ?? 3000);
const CONCURRENCY = Number(args.concurrency ?? 200);
const QUIET_WAIT_S = Number(args['quiet-wait'] ?? 600);
const LAUNCHER = String(args.launcher ?? 'auto');
const LOAD_ENGINE = String(args.load ?? 'c');
if (!['c', 'node'].includes(LOAD_ENGINE)) {
  console.error('--load is c or node');
  process.exit(1);
}
const OUT = args.out ? String(args.out) : join(ROOT, 'bench/results/propagation-latest.json');
const DATABASE_URL = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL || DEFAULT_REDIS_URL;
const FLAG = 'bench-propagation';
const TARGET = { p99Ms: 100, atN: 10_000, bytesPerConnection: 20 * 1024 };

const patchAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** PATCH a flag on or off; times: request start, response head (the API's answer), body end. */
function timedToggle(node, token, on) {
  const body = JSON.stringify({
    instructions: [{ kind: on ? 'turnFlagOn' : 'turnFlagOff' }],
    comment: 'bench/propagation',
  });
  return new Promise((resolve, reject) => {
    const start = nowMs();
    const req = http.request(
      {
        host: '127.0.0.1',
        port: node.port,
        method: 'PATCH',
        path: `/api/v1/projects/default/flags/${FLAG}/environments/production`,
        agent: patchAgent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const answered = nowMs();
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200 && res.statusCode !== 201) reject(new Error(`PATCH → ${res.statusCode}: ${text}`));
          else resolve({ start, answered, end: nowMs(), status: res.statusCode });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One in-process SSE client: resolves the time and type of the first event after `trigger()`. */
async function probeOne(streamNode, serverKey, trigger, timeoutMs) {
  let ready;
  let onNext;
  const opened = new Promise((r) => {
    ready = r;
  });
  const c = new SseConnection({
    port: streamNode.port,
    path: '/sdk/v1/stream',
    headers: { Authorization: serverKey },
    onEvent: (_c, event, id, at) => {
      if (event === 'put' && ready) {
        const r = ready;
        ready = undefined;
        r();
        return;
      }
      onNext?.({ event, id, at });
    },
    onClose: () => onNext?.({ event: 'closed', at: nowMs() }),
  });
  await Promise.race([opened, sleep(10_000)]);
  if (ready) {
    c.close();
    throw new Error(`probe stream did not open: ${c.error ?? 'timeout'}`);
  }
  const next = new Promise((r) => {
    onNext = r;
  });
  const t = await trigger();
  const got = await Promise.race([next, sleep(timeoutMs).then(() => undefined)]);
  c.close();
  return {
    ...t,
    event: got?.event,
    id: got?.id,
    receivedAt: got?.at,
    latencyMs: got ? got.at - t.answered : undefined,
  };
}

function describeLoad() {
  const [a] = os.loadavg();
  return `load average ${a.toFixed(2)} on ${cores()} cores`;
}

async function runN(N, ctx) {
  const { launcher, api, serverKey, token } = ctx;
  log(`\nN = ${N}: starting two stream nodes (${launcher})`);
  const profDir = (name) => join(ROOT, `bench/results/profiles/propagation-N${N}-${name}`);
  const nodeArgs = (name) =>
    args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profDir(name)}`] : [];
  const streams = [];
  for (const name of ['stream-a', 'stream-b']) {
    streams.push(
      await startNode({
        launcher,
        role: 'stream',
        name,
        databaseUrl: ctx.db.url,
        redisUrl: REDIS_URL,
        nodeArgs: nodeArgs(name),
      }),
    );
  }
  const load = startLoad({ profDir: args['cpu-prof'] ? profDir('load') : undefined, engine: LOAD_ENGINE });
  try {
    await load.next('hello', 10_000);
    // Warm each node: its feed and the SDK credential are loaded by a first snapshot request.
    for (const s of streams) {
      const r = await fetch(`${s.base}/sdk/v1/flags`, { headers: { authorization: serverKey } });
      if (r.status !== 200) throw new Error(`${s.name}: GET /sdk/v1/flags → ${r.status}`);
      await r.arrayBuffer();
    }
    // Same clock in both processes (CLOCK_MONOTONIC): check it with a round trip.
    const clock = [];
    for (let i = 0; i < 5; i++) {
      const t0 = nowMs();
      load.send({ type: 'clock', t: t0 });
      const m = await load.next('clock');
      const t1 = nowMs();
      if (!(m.child >= t0 && m.child <= t1))
        throw new Error(`clock check: the load process read ${m.child}, outside [${t0}, ${t1}]`);
      clock.push({ rttMs: t1 - t0, childMinusParentMidMs: m.child - (t0 + t1) / 2 });
    }
    const quiet = QUIET_WAIT_S > 0 ? await waitQuiet({ maxWaitS: QUIET_WAIT_S, label: `N=${N}: ` }) : undefined;
    await sleep(1000);
    const rssBefore = streams.map((s) => rssKiB(s.pid));
    const perNode = [Math.ceil(N / 2), Math.floor(N / 2)];
    const connectStart = nowMs();
    load.send({
      type: 'connect',
      targets: streams.map((s, i) => ({ port: s.port, count: perNode[i] })),
      key: serverKey,
      concurrency: CONCURRENCY,
    });
    const conn = await load.next('connected', 15 * 60_000);
    process.stderr.write('\n');
    log(
      `  ${conn.connected}/${conn.total} streams open in ${(conn.ms / 1000).toFixed(1)} s${conn.failed ? `; ${conn.failed} failed: ${JSON.stringify(conn.errors)}` : ''}`,
    );
    const connectMs = nowMs() - connectStart;
    await sleep(SETTLE_MS);
    const rssAfter = streams.map((s) => rssKiB(s.pid));
    const memory = streams.map((s, i) => ({
      node: s.name,
      connections: perNode[i],
      rssBeforeKiB: rssBefore[i],
      rssAfterKiB: rssAfter[i],
      bytesPerConnection: ((rssAfter[i] - rssBefore[i]) * 1024) / perNode[i],
    }));
    log(`  machine: ${describeLoad()}`);
    for (const m of memory)
      log(
        `  ${m.node}: RSS ${(m.rssBeforeKiB / 1024).toFixed(1)} → ${(m.rssAfterKiB / 1024).toFixed(1)} MiB, ${(m.bytesPerConnection / 1024).toFixed(1)} KiB per connection`,
      );

    const rounds = [];
    const fromAnswer = [];
    const fromStart = [];
    let on = ctx.flagOn;
    const cpuBefore = [...streams.map((s) => cpuMs(s.pid)), cpuMs(load.child.pid), cpuMs(api.pid), machineBusyMs()];
    const t0 = nowMs();
    for (let r = -WARMUP_CHANGES; r < CHANGES; r++) {
      load.send({ type: 'arm', round: r, timeoutMs: 20_000 });
      const armed = await load.next('armed');
      on = !on;
      const t = await timedToggle(api, token, on);
      const res = await load.next('round', 30_000);
      const d = res.times.map((x) => x - t.answered);
      const ds = res.times.map((x) => x - t.start);
      const s = summary(d);
      const round = {
        round: r,
        warmup: r < 0,
        to: on ? 'on' : 'off',
        apiMs: t.answered - t.start,
        requestAt: t.start,
        answeredAt: t.answered,
        firstReceiptAt: Math.min(...res.times),
        lastReceiptAt: Math.max(...res.times),
        awaited: armed.awaiting,
        received: res.times.length,
        missing: res.missing,
        closedDuring: res.closedDuring,
        events: res.events,
        ids: res.ids,
        fromAnswer: s,
        fromStart: summary(ds),
        spreadMs: s.max - s.min,
      };
      rounds.push(round);
      if (r >= 0) {
        for (const x of d) fromAnswer.push(x);
        for (const x of ds) fromStart.push(x);
      }
      log(
        `  ${r < 0 ? 'warm-up' : `change ${r + 1}/${CHANGES}`}: API ${round.apiMs.toFixed(1)} ms; ${res.times.length}/${armed.awaiting} received (${Object.entries(
          res.events,
        )
          .map(([k, v]) => `${v} ${k}`)
          .join(
            ', ',
          )}${res.missing ? `, ${res.missing} MISSING` : ''}) p50 ${s.p50?.toFixed(1)} p99 ${s.p99?.toFixed(1)} max ${s.max?.toFixed(1)} ms after the answer`,
      );
      await sleep(PAUSE_MS);
    }
    const wallMs = nowMs() - t0;
    const cpuAfter = [...streams.map((s) => cpuMs(s.pid)), cpuMs(load.child.pid), cpuMs(api.pid), machineBusyMs()];
    const ours = [0, 1, 2, 3].reduce((a, i) => a + cpuAfter[i] - cpuBefore[i], 0);
    const machineMs = cpuAfter[4] - cpuBefore[4];
    const rssLoaded = streams.map((s) => rssKiB(s.pid));
    load.send({ type: 'close' });
    const closed = await load.next('closed', 30_000);
    const changes = WARMUP_CHANGES + CHANGES;
    const measured = rounds.filter((r) => !r.warmup);
    return {
      n: N,
      perNode,
      quietBeforeStart: quiet,
      connect: { ...conn, wallMs: connectMs, concurrency: CONCURRENCY, loadNofile: load.nofile },
      clock,
      memory,
      bytesPerConnection: memory.reduce((a, m) => a + (m.rssAfterKiB - m.rssBeforeKiB) * 1024, 0) / N,
      rssAfterChangesKiB: rssLoaded,
      changes: CHANGES,
      samples: fromAnswer.length,
      expected: measured.reduce((a, r) => a + r.awaited, 0),
      missing: measured.reduce((a, r) => a + r.missing, 0),
      eventTypes: measured.reduce((a, r) => {
        for (const [k, v] of Object.entries(r.events)) a[k] = (a[k] ?? 0) + v;
        return a;
      }, {}),
      fromAnswer: summary(fromAnswer),
      fromStart: summary(fromStart),
      apiMs: summary(measured.map((r) => r.apiMs)),
      cpuMsPerChange: {
        note: 'CPU time over the change phase (changes + pauses, incl. heartbeats) divided by the number of changes',
        streamA: (cpuAfter[0] - cpuBefore[0]) / changes,
        streamB: (cpuAfter[1] - cpuBefore[1]) / changes,
        load: (cpuAfter[2] - cpuBefore[2]) / changes,
        api: (cpuAfter[3] - cpuBefore[3]) / changes,
        phaseWallMs: wallMs,
        /** Busy CPU of the whole machine over the phase, and the part not used by these four processes (PostgreSQL, Redis, anything else running). */
        machineBusyShare: machineMs / (wallMs * cores()),
        otherProcessesMsPerChange: (machineMs - ours) / changes,
      },
      closed,
      rounds,
      profiles: args['cpu-prof'] ? [...streams.map((s) => profDir(s.name)), profDir('load')] : undefined,
      flagOn: on,
    };
  } finally {
    // It exits by itself after 'close' (writing its --cpu-prof profile); kill it only if it hangs or failed.
    await Promise.race([load.exited, sleep(5000)]);
    if (load.child.exitCode === null && load.child.signalCode === null) load.child.kill('SIGTERM');
    await load.exited;
    for (const s of streams) await stopNode(s);
  }
}

async function main() {
  const startedAt = new Date().toISOString();
  log(
    `bench/propagation: N = ${NS.join(', ')}, ${CHANGES} changes each; PostgreSQL ${DATABASE_URL.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}, Redis ${REDIS_URL}`,
  );
  const db = await freshDatabase(DATABASE_URL);
  log(`  database ${db.name} (PostgreSQL ${db.version})`);
  const nodes = [];
  let envIds = [];
  const result = {
    benchmark: 'propagation',
    startedAt,
    machine: machine(),
    database: db.display,
    postgres: db.version,
    redis: REDIS_URL,
    targets: TARGET,
    loadProcess: LOAD_ENGINE === 'c' ? 'bench/propagation/sse-load.c' : 'bench/propagation/load.mjs',
  };
  try {
    // The first node on the empty store prints the admin token.
    const firstLauncher = LAUNCHER === 'shim' ? 'shim' : 'cli';
    let api = await startNode({
      launcher: firstLauncher,
      role: 'api',
      name: 'api',
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
    });
    nodes.push(api);
    const token = api.token;
    if (!token) throw new Error(`no "API token" line on the api node's stdout:\n${api.stdout.join('\n')}`);
    let call = adminApi(api.base, token);
    const { serverKey, clientId } = await sdkCredentials(call);
    await call('POST', '/api/v1/projects/default/flags', {
      key: FLAG,
      name: 'Propagation benchmark',
      clientVisible: true,
    });

    // Does the real program propagate api → stream? One stream node, one client, one change.
    let launcher = firstLauncher;
    if (LAUNCHER === 'auto' || LAUNCHER === 'cli') {
      const sdkOnApi = await fetch(`${api.base}/sdk/v1/flags`, { headers: { authorization: serverKey } });
      await sdkOnApi.arrayBuffer();
      const probeStream = await startNode({
        launcher: 'cli',
        role: 'stream',
        name: 'probe-stream',
        databaseUrl: db.url,
        redisUrl: REDIS_URL,
      });
      let probe;
      try {
        probe = await probeOne(probeStream, serverKey, () => timedToggle(api, token, true), 12_000);
        await timedToggle(api, token, false);
        await sleep(6000); // let the probe node's periodic check settle before it stops
      } finally {
        await stopNode(probeStream);
      }
      const ok = probe.event === 'patch' && probe.latencyMs < 1000;
      result.cliProbe = {
        apiNodeAnswersSdk: sdkOnApi.status !== 404,
        apiNodeSdkStatus: sdkOnApi.status,
        streamEvent: probe.event ?? 'none within 12 s',
        latencyMs: probe.latencyMs,
        propagates: ok,
      };
      log(
        `  CLI probe: GET /sdk/v1/flags on the --role api node → ${sdkOnApi.status}${sdkOnApi.status !== 404 ? ' (role ignored)' : ''}; a stream client got ${probe.event ? `'${probe.event}' ${probe.latencyMs.toFixed(0)} ms` : 'nothing within 12 s'} after the API's answer → ${ok ? 'propagates' : 'does NOT propagate through Redis'}`,
      );
      if (!ok && LAUNCHER === 'auto') {
        log('  → using bench/propagation/vexil-node.mjs (main.ts with role, Redis bus and cache wired) for every node');
        await stopNode(api);
        nodes.length = 0;
        launcher = 'shim';
        api = await startNode({ launcher, role: 'api', name: 'api', databaseUrl: db.url, redisUrl: REDIS_URL });
        nodes.push(api);
        call = adminApi(api.base, token);
        const check = await fetch(`${api.base}/sdk/v1/flags`, { headers: { authorization: serverKey } });
        await check.arrayBuffer();
        if (check.status !== 404) throw new Error(`the shim's api node still answers /sdk/v1/flags (${check.status})`);
      }
    }
    result.launcher = launcher;
    const pool = new pg.Client({ connectionString: db.url });
    await pool.connect();
    envIds = (await pool.query('SELECT id FROM environments')).rows.map((r) => r.id);
    await pool.end();

    const ctx = { launcher, api, token, serverKey, clientId, db, flagOn: false };
    result.runs = [];
    for (const N of NS) {
      const run = await runN(N, ctx);
      ctx.flagOn = run.flagOn;
      result.runs.push(run);
    }
  } finally {
    for (const n of nodes) await stopNode(n);
    await db.drop().catch((err) => log(`  could not drop ${db.name}: ${err.message}`));
    if (envIds.length) {
      // Only the snapshot keys of this run's environments; nothing else in Redis is touched.
      const { Redis } = await import('ioredis');
      const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await r
        .connect()
        .then(() => r.del(...envIds.map((id) => `vexil:snapshot:${id}`)))
        .catch(() => {});
      r.disconnect();
    }
  }
  report(result);
}

function report(result) {
  const f = (x) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(1));
  const rows = result.runs.map((r) => [
    r.n.toLocaleString('en-US'),
    `${r.changes}`,
    `${r.samples}/${r.expected}`,
    f(r.fromAnswer.p50),
    f(r.fromAnswer.p99),
    f(r.fromAnswer.max),
    f(r.fromStart.p50),
    f(r.fromStart.p99),
    f(r.fromStart.max),
    f(r.apiMs.p50),
    Object.entries(r.eventTypes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ]);
  console.log(
    `\nPropagation: flag change → SSE clients (${result.launcher === 'shim' ? 'bench shim launcher, see notes' : 'vexil CLI'}; 1 api + 2 stream nodes, PostgreSQL + Redis; load process ${result.loadProcess}; ${result.machine.cores} cores)`,
  );
  console.log(
    table(
      [
        'N',
        'changes',
        'received',
        'p50 ms',
        'p99 ms',
        'max ms',
        'p50 from req',
        'p99 from req',
        'max from req',
        'API ms',
        'events',
      ],
      rows,
    ),
  );
  console.log('("ms" = client receipt − the API\'s 200; "from req" = receipt − PATCH request start)');
  console.log('\nCPU per change (ms; over changes and pauses) and how busy the whole machine was');
  console.log(
    table(
      ['N', 'stream-a', 'stream-b', 'load process', 'api', 'other processes', 'machine busy'],
      result.runs.map((r) => {
        const c = r.cpuMsPerChange;
        return [
          r.n.toLocaleString('en-US'),
          f(c.streamA),
          f(c.streamB),
          f(c.load),
          f(c.api),
          f(c.otherProcessesMsPerChange),
          `${(100 * c.machineBusyShare).toFixed(0)}%`,
        ];
      }),
    ),
  );
  console.log('\nMemory per idle stream (stream-node RSS after − before opening, ÷ connections on that node)');
  const mrows = [];
  for (const r of result.runs)
    for (const m of r.memory)
      mrows.push([
        `N=${r.n} ${m.node}`,
        m.connections,
        (m.rssBeforeKiB / 1024).toFixed(1),
        (m.rssAfterKiB / 1024).toFixed(1),
        (m.bytesPerConnection / 1024).toFixed(2),
      ]);
  console.log(table(['node', 'connections', 'RSS before MiB', 'RSS after MiB', 'KiB/conn'], mrows));

  const big = result.runs.find((r) => r.n === TARGET.atN) ?? result.runs[result.runs.length - 1];
  const verdicts = [];
  if (big) {
    const p99ok = big.fromAnswer.p99 < TARGET.p99Ms && big.missing === 0;
    verdicts.push([
      `propagation p99 at ${big.n.toLocaleString('en-US')} connections`,
      `${f(big.fromAnswer.p99)} ms${big.missing ? ` (${big.missing} missing)` : ''}`,
      `< ${TARGET.p99Ms} ms`,
      p99ok ? 'PASS' : 'FAIL',
    ]);
    const memOk = big.bytesPerConnection < TARGET.bytesPerConnection;
    verdicts.push([
      `server memory per idle connection (N=${big.n.toLocaleString('en-US')})`,
      `${(big.bytesPerConnection / 1024).toFixed(2)} KiB`,
      '< 20 KiB',
      memOk ? 'PASS' : 'FAIL',
    ]);
  }
  console.log(`\n${table(['target', 'measured', 'target', 'verdict'], verdicts)}`);
  console.log(
    'For scale (from the issue): Unleash OSS has no streaming; its SDKs see a change after 7.9 s median, 15.3 s p99 (polling).',
  );
  if (result.cliProbe) {
    const p = result.cliProbe;
    console.log(
      `\nCLI probe: --role api node answers /sdk/v1/flags: ${p.apiNodeAnswersSdk ? `yes (${p.apiNodeSdkStatus}) — role ignored` : 'no (404)'}; stream client got ${p.streamEvent}${p.latencyMs !== undefined ? ` after ${p.latencyMs.toFixed(0)} ms` : ''} → ${p.propagates ? 'propagates through Redis' : 'does NOT propagate through Redis'}`,
    );
  }
  result.verdicts = verdicts.map(([what, measured, target, verdict]) => ({ what, measured, target, verdict }));
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten ${OUT}`);
  if (args.strict && verdicts.some((v) => v[3] === 'FAIL')) process.exitCode = 2;
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
