#!/usr/bin/env node
// Flag evaluation benchmark: Vexil against a hand-written floor and peer systems' local
// evaluators, on four scenarios; plus Vexil's (and peers') heap and load time for 10,000 flags.
// See bench/README.md. Usage:
//   npm run bench:eval                         (from the repo root: builds, then runs this)
//   node --expose-gc bench/eval/run.mjs [--quick] [--systems=floor,vexil] [--scenarios=S2,S4]
//        [--runs=5] [--target-ms=250] [--warmup-ms=1000] [--count=10000] [--no-load] [--strict] [--wall] [--cpu-prof]
//        [--out=bench/results/eval-latest.json]
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeople, POOL_SIZE } from './contexts.mjs';
import { report, TARGETS } from './report.mjs';
import { referenceValue, S4_RULES, SCENARIOS, s4FirstMatch } from './spec.mjs';
import { LOAD_SYSTEMS, SYSTEMS } from './systems.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

function parseArgs(argv) {
  const opts = {
    runs: 5,
    targetMs: 250,
    warmupMs: 1000,
    count: 10_000,
    load: true,
    strict: false,
    systems: SYSTEMS.map((s) => s.id),
    scenarios: SCENARIOS,
    out: join(here, '..', 'results', 'eval-latest.json'),
  };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'quick') Object.assign(opts, { runs: 3, targetMs: 100, warmupMs: 300 });
    else if (k === 'runs') opts.runs = Number(v);
    else if (k === 'target-ms') opts.targetMs = Number(v);
    else if (k === 'warmup-ms') opts.warmupMs = Number(v);
    else if (k === 'count') opts.count = Number(v);
    else if (k === 'no-load') opts.load = false;
    else if (k === 'strict') opts.strict = true;
    else if (k === 'wall') process.env.VEXIL_BENCH_CLOCK = 'wall';
    else if (k === 'cpu-prof') opts.cpuProf = true;
    else if (k === 'systems') opts.systems = v.split(',');
    else if (k === 'scenarios') opts.scenarios = v.split(',');
    else if (k === 'out') opts.out = v;
    else if (k === 'help' || k === 'h') {
      console.log(
        'usage: node --expose-gc bench/eval/run.mjs [--quick] [--systems=a,b] [--scenarios=S1,S2] [--runs=N] [--target-ms=N] [--warmup-ms=N] [--count=N] [--no-load] [--strict] [--wall] [--cpu-prof] [--out=FILE]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  for (const id of opts.systems) if (!SYSTEMS.some((s) => s.id === id)) throw new Error(`unknown system ${id}`);
  for (const s of opts.scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
  return opts;
}

/** The scenarios are what they claim to be: the floor agrees with the spec on the whole pool. */
async function checkScenarios() {
  const floor = await import('./scenarios/floor.mjs');
  const people = buildPeople();
  const trues = { S2: 0, S4: 0 };
  let earlyClauseA = 0;
  for (const p of people) {
    for (const s of ['S1', 'S2', 'S4']) {
      const want = referenceValue(s, p);
      if (floor.expected(s, p) !== want)
        throw new Error(`floor disagrees with the spec on ${s} for ${JSON.stringify(p)}`);
      if (want && s !== 'S1') trues[s]++;
    }
    const first = s4FirstMatch(p);
    if (first >= 0 && first < S4_RULES.length - 1)
      throw new Error(`S4 rule ${first} (not the last) matches ${JSON.stringify(p)}`);
    for (let i = 0; i < S4_RULES.length - 1; i++) if (S4_RULES[i][0].values.includes(p.country)) earlyClauseA++;
  }
  const share = (n) => n / people.length;
  for (const s of ['S2', 'S4']) {
    if (share(trues[s]) < 0.05 || share(trues[s]) > 0.95)
      throw new Error(`${s} is degenerate: ${share(trues[s])} true`);
  }
  return {
    poolSize: people.length,
    s2TrueShare: share(trues.S2),
    s4TrueShare: share(trues.S4),
    s4SecondClausesEvaluatedPerContext: earlyClauseA / people.length,
  };
}

const CHILD_TIMEOUT_MS = 300_000;
const profilesDir = join(here, '..', 'results', 'profiles');

function child(args, { cpuProf = false } = {}) {
  const execArgv = process.execArgv.includes('--expose-gc')
    ? [...process.execArgv]
    : [...process.execArgv, '--expose-gc'];
  // --cpu-prof: one V8 CPU profile per child, in bench/results/profiles/<system>-<scenario|load>/.
  if (cpuProf) {
    const dir = join(profilesDir, `${args[1]}-${args[0] === 'eval' ? args[2] : 'load'}`);
    rmSync(dir, { recursive: true, force: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...execArgv, join(here, 'child.mjs'), ...args.map(String)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' },
    });
    let stdout = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    // A child that hangs (an SDK waiting for something) must not hang the benchmark.
    const timer = setTimeout(() => p.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`child ${args.join(' ')} exited with ${code}\n${stdout}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}

const coreName = process.env.VEXIL_BENCH_CORE || '@vexil/core';

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(`${s}\n`);

  try {
    await import('./core.mjs');
  } catch (e) {
    throw new Error(`cannot import ${coreName} (${e.message}); build it first: npm run build (or npm run bench:eval)`);
  }

  const scenarioCheck = await checkScenarios();
  log(
    `scenarios checked on ${scenarioCheck.poolSize} contexts: S2 true ${(scenarioCheck.s2TrueShare * 100).toFixed(1)}%, ` +
      `S4 true ${(scenarioCheck.s4TrueShare * 100).toFixed(1)}% (only via the last rule), ` +
      `${scenarioCheck.s4SecondClausesEvaluatedPerContext.toFixed(2)} second clauses of rules 0-8 reached per context`,
  );

  const evals = [];
  const systems = SYSTEMS.map((s) => s.id).filter((id) => opts.systems.includes(id));
  for (const system of systems) {
    for (const scenario of opts.scenarios) {
      const r = await child(['eval', system, scenario, opts.runs, opts.targetMs, opts.warmupMs], {
        cpuProf: opts.cpuProf,
      });
      log(
        `  ${system.padEnd(15)} ${scenario}  ${r.median.toFixed(1).padStart(8)} ns/eval  (n=${r.n}, sanity ok on ${r.sanity.sample}, true ${(r.sanity.trueShare * 100).toFixed(1)}%)`,
      );
      evals.push(r);
    }
  }

  const loads = [];
  if (opts.load) {
    for (const system of LOAD_SYSTEMS.filter((id) => opts.systems.includes(id))) {
      const r = await child(['load', system, opts.count, opts.runs], { cpuProf: opts.cpuProf });
      log(
        `  ${system.padEnd(15)} load ${opts.count}: ${(r.heapBytes / 1048576).toFixed(2)} MiB, ${r.medianMs.toFixed(1)} ms`,
      );
      loads.push(r);
    }
  }

  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`,
    nodeEnv: process.env.NODE_ENV ?? 'production',
    core: coreName,
    runs: opts.runs,
    targetMs: opts.targetMs,
    warmupMs: opts.warmupMs,
    poolSize: POOL_SIZE,
    loadCount: opts.count,
  };
  const { text, ratios, targets } = report({ meta, evals, loads, systems });
  console.log(text);

  const result = { meta, scenarioCheck, targetsDefined: TARGETS, targets, ratios, eval: evals, load: loads };
  mkdirSync(dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(tmp, opts.out);
  log(`\nraw figures: ${relative(repoRoot, opts.out) || opts.out}`);
  if (opts.cpuProf)
    log(`CPU profiles: ${relative(repoRoot, profilesDir)}/ (summarise: node bench/eval/profile-summary.mjs <dir>)`);

  if (opts.strict && Object.values(targets).some((t) => !t.pass)) process.exit(2);
}

main().catch((e) => {
  console.error(`\nbench:eval FAILED: ${e?.stack ?? e}`);
  process.exit(1);
});
