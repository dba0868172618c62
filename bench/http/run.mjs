#!/usr/bin/env node
// bench/http: SDK endpoint throughput over loopback, measured with autocannon in its own process,
// against one real `vexil --role all` node on a fresh PostgreSQL database holding an environment of
// 1,000 client-visible flags (each a 50 % rollout in the fallthrough plus one rule of one clause):
//   snapshot-gzip    GET /sdk/v1/flags, Accept-Encoding: gzip                 (server SDK poll, changed)
//   snapshot-304     GET /sdk/v1/flags, If-None-Match: <current ETag>         (server SDK poll, unchanged)
//   client-evaluate  POST /client/v1/evaluate {"context": …}, client-side ID  (all 1,000 flags, one context)
// See bench/README.md.
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  adminApi,
  cpuMs,
  DEFAULT_DATABASE_URL,
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
  table,
  waitQuiet,
} from '../propagation/cluster.mjs';
import { analyse, formatAnalysis } from '../propagation/profile-window.mjs';

const CANNON = fileURLToPath(new URL('./cannon.mjs', import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
if (args.help) {
  console.log(`node bench/http/run.mjs [options]
  --flags=1000            flags in the environment
  --scenarios=snapshot-gzip,snapshot-304,client-evaluate
  --duration=10 --warmup=2   seconds per measurement, after a warm-up of the same load
  --connections=64 --pipelining=1
  --wait-evaluate=0       when POST /client/v1/evaluate answers 404: every 60 s rebuild
                          (tsc -b core + server), restart the node and ask again, for up to this many seconds
  --quiet-wait=600        before each scenario, wait up to this many seconds for the machine to be
                          ≤ 25 % busy with other processes (0: do not wait)
  --cpu-prof              a V8 CPU profile of the server in bench/results/profiles/http/ (git-ignored),
                          summarised per scenario at the end
  --strict                exit 2 when a target is missed
  --out=FILE              default bench/results/http-latest.json
Environment: DATABASE_URL (default ${DEFAULT_DATABASE_URL}; a database vexil_bench_<hex> is created and dropped).`);
  process.exit(0);
}
const FLAGS = Number(args.flags ?? 1000);
const SCENARIOS = String(args.scenarios ?? 'snapshot-gzip,snapshot-304,client-evaluate').split(',');
const DURATION_S = Number(args.duration ?? 10);
const WARMUP_S = Number(args.warmup ?? 2);
const CONNECTIONS = Number(args.connections ?? 64);
const PIPELINING = Number(args.pipelining ?? 1);
const WAIT_EVALUATE_S = Number(args['wait-evaluate'] ?? 0);
const QUIET_WAIT_S = Number(args['quiet-wait'] ?? 600);
const OUT = args.out ? String(args.out) : join(ROOT, 'bench/results/http-latest.json');
const DATABASE_URL = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const PROFILE_DIR = join(ROOT, 'bench/results/profiles/http');
const CONTEXT = { kind: 'user', key: 'user-42', country: 'US' };

const TARGETS = {
  'snapshot-gzip': { reqPerS: 3000, unleash: 300, label: 'full snapshot, gzip (200)' },
  'snapshot-304': { reqPerS: 20_000, unleash: 2313, label: 'unchanged snapshot (304)' },
  'client-evaluate': {
    reqPerS: 1300,
    unleash: 127,
    label: `${FLAGS.toLocaleString('en-US')}-flag client evaluation (200)`,
  },
};

/** A flag's production targeting: one rule of one clause, else a 50/50 rollout. */
function targeting(i) {
  return {
    on: true,
    rules: [
      {
        id: 'region',
        clauses: [{ attribute: 'country', op: 'in', values: i % 2 ? ['DE', 'FR'] : ['NL', 'BE'] }],
        serve: { variation: 0 },
      },
    ],
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: 50_000 },
          { variation: 1, weight: 50_000 },
        ],
      },
    },
    comment: 'bench/http seed',
  };
}

async function seed(call) {
  const t0 = nowMs();
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < FLAGS) {
      const i = next++;
      const key = `bench-flag-${String(i).padStart(4, '0')}`;
      await call('POST', '/api/v1/projects/default/flags', { key, name: `Bench flag ${i}`, clientVisible: true });
      await call('PUT', `/api/v1/projects/default/flags/${key}/environments/production`, targeting(i));
      done++;
      if (done % 50 === 0 || done === FLAGS) process.stderr.write(`\r  seeded ${done}/${FLAGS} flags   `);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  process.stderr.write('\n');
  return nowMs() - t0;
}

/** Runs cannon.mjs in its own process; returns autocannon's figures and the server's CPU over the measured part. */
function measure(server, cfg) {
  return new Promise((resolve, reject) => {
    const child = fork(CANNON, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let start;
    let result;
    child.on('message', (m) => {
      if (m.type === 'measure-start') start = { at: nowMs(), cpu: cpuMs(server.pid), machine: machineBusyMs() };
      else if (m.type === 'measure-end') {
        const end = { at: nowMs(), cpu: cpuMs(server.pid), machine: machineBusyMs() };
        const wall = end.at - start.at;
        const cannonCpu = cpuMs(child.pid);
        result = {
          window: [start.at, end.at],
          serverCpuShare: (end.cpu - start.cpu) / wall,
          machineBusyShare: (end.machine - start.machine) / (wall * os.cpus().length),
          cannonCpuMsTotal: cannonCpu,
          serverRssKiB: rssKiB(server.pid),
        };
      } else if (m.type === 'result') resolve({ ...m.result, ...result });
      else if (m.type === 'error') reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`autocannon process exited ${code}`));
    });
    child.send(cfg);
  });
}

async function probeEvaluate(node, clientId) {
  const res = await fetch(`${node.base}/client/v1/evaluate`, {
    method: 'POST',
    headers: { authorization: clientId, 'content-type': 'application/json' },
    body: JSON.stringify({ context: CONTEXT }),
  });
  const text = await res.text();
  let flags;
  try {
    const body = JSON.parse(text);
    const f = body?.flags ?? body;
    flags = Array.isArray(f) ? f : Object.values(f ?? {});
  } catch {}
  return { status: res.status, bytes: Buffer.byteLength(text), flags, text: text.slice(0, 300) };
}

async function main() {
  const startedAt = new Date().toISOString();
  log(
    `bench/http: ${FLAGS} flags; ${SCENARIOS.join(', ')}; ${DURATION_S} s each after ${WARMUP_S} s warm-up, ${CONNECTIONS} connections, pipelining ${PIPELINING}`,
  );
  const db = await freshDatabase(DATABASE_URL);
  log(`  database ${db.name} (PostgreSQL ${db.version})`);
  const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  if (args['cpu-prof']) spawnSync('rm', ['-rf', PROFILE_DIR]);
  const start = () => startNode({ launcher: 'cli', role: 'all', name: 'all', databaseUrl: db.url, nodeArgs });
  let node;
  const result = {
    benchmark: 'http',
    startedAt,
    machine: machine(),
    database: db.display,
    postgres: db.version,
    flags: FLAGS,
    context: CONTEXT,
    load: {
      tool: 'autocannon',
      version: createRequire(import.meta.url)('autocannon/package.json').version,
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
      pipelining: PIPELINING,
    },
    scenarios: {},
  };
  try {
    node = await start();
    const token = node.token;
    if (!token) throw new Error(`no "API token" line on stdout:\n${node.stdout.join('\n')}`);
    const call = adminApi(node.base, token);
    const { serverKey, clientId } = await sdkCredentials(call);
    result.seedMs = await seed(call);

    // The snapshot this node serves: every flag there, its sizes and its ETag.
    const plain = await fetch(`${node.base}/sdk/v1/flags`, {
      headers: { authorization: serverKey, 'accept-encoding': 'identity' },
    });
    const plainText = await plain.text();
    const snapshot = JSON.parse(plainText);
    const count = Object.keys(snapshot.flags ?? {}).length;
    if (count !== FLAGS) throw new Error(`the snapshot holds ${count} flags, not ${FLAGS}`);
    const etag = plain.headers.get('etag');
    const gz = await new Promise((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(`${node.base}/sdk/v1/flags`, { headers: { authorization: serverKey, 'accept-encoding': 'gzip' } }, (r) => {
          const chunks = [];
          r.on('data', (c) => chunks.push(c));
          r.on('end', () =>
            resolve({ status: r.statusCode, encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        }).on('error', reject),
      );
    });
    if (gz.status !== 200 || gz.encoding !== 'gzip' || gunzipSync(gz.body).toString() !== plainText)
      throw new Error('the gzip snapshot does not decode to the plain one');
    result.snapshot = {
      flags: count,
      etag,
      jsonBytes: Buffer.byteLength(plainText),
      gzipBytes: gz.body.length,
      seq: snapshot.seq,
    };
    log(
      `  snapshot: ${count} flags, ${(result.snapshot.jsonBytes / 1024).toFixed(0)} KiB JSON, ${(result.snapshot.gzipBytes / 1024).toFixed(1)} KiB gzip, ETag ${etag}`,
    );

    const configs = {
      'snapshot-gzip': {
        method: 'GET',
        path: '/sdk/v1/flags',
        headers: { authorization: serverKey, 'accept-encoding': 'gzip' },
        status: 200,
      },
      'snapshot-304': {
        method: 'GET',
        path: '/sdk/v1/flags',
        headers: { authorization: serverKey, 'accept-encoding': 'gzip', 'if-none-match': etag },
        status: 304,
      },
      'client-evaluate': {
        method: 'POST',
        path: '/client/v1/evaluate',
        headers: { authorization: clientId, 'content-type': 'application/json' },
        body: JSON.stringify({ context: CONTEXT }),
        status: 200,
      },
    };
    for (const name of SCENARIOS) {
      const cfg = configs[name];
      if (!cfg) throw new Error(`unknown scenario ${name}`);
      if (name === 'client-evaluate') {
        let probe = await probeEvaluate(node, clientId);
        const waitStart = nowMs();
        while (probe.status === 404 && (nowMs() - waitStart) / 1000 < WAIT_EVALUATE_S) {
          log(
            `  POST /client/v1/evaluate → 404 (not there yet); rebuilding and asking again in 60 s (waited ${((nowMs() - waitStart) / 60000).toFixed(0)} of ${(WAIT_EVALUATE_S / 60).toFixed(0)} min)`,
          );
          await sleep(60_000);
          const build = spawnSync(
            'npx',
            ['tsc', '-b', 'packages/core/tsconfig.json', 'packages/server/tsconfig.json'],
            { cwd: ROOT, encoding: 'utf8' },
          );
          if (build.status !== 0) {
            log(`  build failed (someone is mid-edit?): ${(build.stdout + build.stderr).split('\n')[0]}`);
            continue;
          }
          await stopNode(node);
          node = await start();
          probe = await probeEvaluate(node, clientId);
        }
        result.evaluateProbe = {
          status: probe.status,
          bytes: probe.bytes,
          flags: probe.flags?.length,
          true: probe.flags?.filter((f) => f?.value === true).length,
        };
        if (probe.status !== 200) {
          log(`  POST /client/v1/evaluate → ${probe.status}: ${probe.text}`);
          result.scenarios[name] = { missing: true, status: probe.status, body: probe.text };
          continue;
        }
        if (probe.flags?.length !== FLAGS)
          log(`  WARNING: the evaluation answered ${probe.flags?.length} flags, not ${FLAGS}`);
        log(
          `  evaluate: ${probe.flags?.length} flags, ${result.evaluateProbe.true} true, ${(probe.bytes / 1024).toFixed(1)} KiB`,
        );
      }
      const quiet = QUIET_WAIT_S > 0 ? await waitQuiet({ maxWaitS: QUIET_WAIT_S, label: `${name}: ` }) : undefined;
      log(`  ${name}: ${WARMUP_S} s warm-up + ${DURATION_S} s …`);
      const r = await measure(node, {
        url: node.base + cfg.path,
        method: cfg.method,
        headers: cfg.headers,
        body: cfg.body,
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        warmupS: WARMUP_S,
        durationS: DURATION_S,
      });
      const total = Object.values(r.statusCodeStats ?? {}).reduce((a, s) => a + s.count, 0);
      const expected = r.statusCodeStats?.[String(cfg.status)]?.count ?? 0;
      const reqPerS = expected / r.durationS;
      const target = TARGETS[name];
      result.scenarios[name] = {
        ...r,
        quietBeforeStart: quiet,
        expectedStatus: cfg.status,
        expectedCount: expected,
        otherResponses: total - expected,
        reqPerS,
        bytesPerResponse: r.throughput.total / Math.max(1, total),
        target: target.reqPerS,
        unleash: target.unleash,
        verdict: reqPerS >= target.reqPerS && total === expected && r.errors === 0 ? 'PASS' : 'FAIL',
      };
      log(
        `    ${reqPerS.toFixed(0)} req/s (${cfg.status}: ${expected}${total !== expected ? `, other: ${total - expected} ${JSON.stringify(r.statusCodeStats)}` : ''}${r.errors ? `, errors ${r.errors}` : ''}), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms; server CPU ${(100 * r.serverCpuShare).toFixed(0)}%, machine ${(100 * r.machineBusyShare).toFixed(0)}% busy`,
      );
    }
  } finally {
    if (node) await stopNode(node);
    await db.drop().catch((err) => log(`  could not drop ${db.name}: ${err.message}`));
  }
  if (args['cpu-prof']) {
    result.profiles = {};
    for (const [name, s] of Object.entries(result.scenarios)) {
      if (!s.window) continue;
      const a = analyse(PROFILE_DIR, [s.window]);
      if (!a) continue;
      const requests = s.expectedCount + s.otherResponses;
      const text = formatAnalysis(`${name} (server, ${requests} requests)`, a, {
        top: 30,
        per: requests / 1000,
        perLabel: '/1000 req',
      });
      console.log(`\n${text}`);
      result.profiles[name] = {
        dir: PROFILE_DIR,
        busyMs: a.busyMs,
        self: a.self.slice(0, 40),
        inclusive: a.inclusive.slice(0, 40),
      };
    }
  }
  report(result);
}

function report(result) {
  const rows = SCENARIOS.map((name) => {
    const s = result.scenarios[name];
    const t = TARGETS[name];
    if (!s) return [t?.label ?? name, '-', '-', '-', '-', '-', '-', 'not run'];
    if (s.missing)
      return [
        t.label,
        `missing (${s.status})`,
        '-',
        '-',
        '-',
        `≥ ${t.reqPerS.toLocaleString('en-US')}`,
        t.unleash.toLocaleString('en-US'),
        'MISSING',
      ];
    return [
      t.label,
      Math.round(s.reqPerS).toLocaleString('en-US'),
      s.latency.p50.toFixed(1),
      s.latency.p99.toFixed(1),
      `${(100 * s.serverCpuShare).toFixed(0)}%`,
      `≥ ${t.reqPerS.toLocaleString('en-US')}`,
      t.unleash.toLocaleString('en-US'),
      s.verdict,
    ];
  });
  console.log(
    `\nSDK endpoints over loopback: one vexil --role all node (PostgreSQL), ${result.flags.toLocaleString('en-US')} flags, autocannon ${result.load.version} in its own process, ${result.load.connections} connections, pipelining ${result.load.pipelining}, ${result.load.durationS} s after ${result.load.warmupS} s warm-up; ${result.machine.cores} cores, Node ${result.machine.node}`,
  );
  console.log(
    table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'server CPU', 'target req/s', 'Unleash 8.2', 'verdict'], rows),
  );
  if (result.snapshot)
    console.log(
      `snapshot: ${(result.snapshot.jsonBytes / 1024).toFixed(0)} KiB JSON, ${(result.snapshot.gzipBytes / 1024).toFixed(1)} KiB gzip; Unleash 8.2 figures from the issue (same machine, Node 20).`,
    );
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${OUT}`);
  if (args.strict && rows.some((r) => r[7] !== 'PASS')) process.exitCode = 2;
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
