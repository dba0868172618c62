#!/usr/bin/env node
// Prints the functions with the most self time in the .cpuprofile files of a directory, e.g.
//   node --expose-gc bench/eval/run.mjs --systems=vexil --scenarios=S4 --no-load --cpu-prof
//   node bench/eval/profile-summary.mjs bench/results/profiles/vexil-S4 [top=25]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench/eval/profile-summary.mjs <dir with .cpuprofile files> [top]');
  process.exit(1);
}
const self = new Map();
let total = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = url ? `${url.split('/').slice(-3).join('/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    total++;
  }
}
for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) {
  console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
}
