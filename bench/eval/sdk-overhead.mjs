#!/usr/bin/env node
// The Node SDK's cost over @vexil/core: `vexil-node` (client.boolVariation in offline mode, with
// the evaluation counters on) against `vexil` (evaluator.evaluate), scenario by scenario, each in
// its own process like run.mjs does; plus both one's retained heap for 10,000 flags.
// Target: the SDK adds under 50 ns per call. Usage (packages built first: npm run build):
//   node --expose-gc bench/eval/sdk-overhead.mjs [--quick] [--runs=5] [--no-load] [--strict]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from './spec.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_NS = 50;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const strict = args.includes('--strict');
const load = !args.includes('--no-load');
const runs = Number(args.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? (quick ? 3 : 5));
const [targetMs, warmupMs] = quick ? [100, 300] : [250, 1000];

function child(childArgs) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', join(here, 'child.mjs'), ...childArgs.map(String)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' },
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`child ${childArgs.join(' ')} exited with ${code}\n${out}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}

const rows = [];
for (const scenario of SCENARIOS) {
  const core = await child(['eval', 'vexil', scenario, runs, targetMs, warmupMs]);
  const sdk = await child(['eval', 'vexil-node', scenario, runs, targetMs, warmupMs]);
  rows.push({ scenario, core: core.median, sdk: sdk.median, overhead: sdk.median - core.median });
  process.stderr.write(`  ${scenario}: core ${core.median.toFixed(1)} ns, sdk ${sdk.median.toFixed(1)} ns\n`);
}

console.log(`@vexil/node over @vexil/core: ns per call, median of ${runs} runs (target: < ${TARGET_NS} ns added)`);
console.log('scenario  core      sdk       added');
for (const r of rows)
  console.log(
    `${r.scenario.padEnd(10)}${r.core.toFixed(1).padEnd(10)}${r.sdk.toFixed(1).padEnd(10)}${(r.overhead >= 0 ? '+' : '') + r.overhead.toFixed(1)} ns  ${r.overhead < TARGET_NS ? 'PASS' : 'FAIL'}`,
  );

if (load) {
  const MiB = 1024 * 1024;
  const core = await child(['load', 'vexil', 10_000, 3]);
  const sdk = await child(['load', 'vexil-node', 10_000, 3]);
  console.log("\n10,000 flags of S2's shape, retained heap (median of 3) and load time");
  console.log(
    `  @vexil/core  ${(core.heapBytes / MiB).toFixed(2)} MiB   ${core.medianMs.toFixed(1)} ms   ${core.what}`,
  );
  console.log(`  @vexil/node  ${(sdk.heapBytes / MiB).toFixed(2)} MiB   ${sdk.medianMs.toFixed(1)} ms   ${sdk.what}`);
  console.log(
    `  the SDK adds ${((sdk.heapBytes - core.heapBytes) / MiB).toFixed(2)} MiB (${((sdk.heapBytes - core.heapBytes) / 10_000).toFixed(0)} B/flag)`,
  );
}

if (strict && rows.some((r) => r.overhead >= TARGET_NS)) process.exit(2);
