#!/usr/bin/env node
// Where the CPU goes during the measured parts of a run: reads V8 --cpu-prof profiles and keeps
// only the samples inside given windows. V8 profile timestamps are CLOCK_MONOTONIC µs, the clock
// the benchmarks record their times with (process.hrtime), so the windows line up exactly.
//
//   node bench/propagation/run.mjs --n=10000 --cpu-prof
//   node bench/propagation/profile-window.mjs [bench/results/propagation-latest.json] [--n=10000] [--top=25]
// (bench/http/run.mjs --cpu-prof prints the same analysis per scenario by itself.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function frameName(cf) {
  const where = cf.url ? `${cf.url.split('/').slice(-3).join('/')}:${cf.lineNumber + 1}` : '';
  return `${cf.functionName || '(anonymous)'} ${where}`.trim();
}

/**
 * Self and inclusive time per function over the samples of `dir`'s .cpuprofile files that fall in
 * `windows` ([startMs, endMs] on the monotonic clock); (idle) is counted apart.
 */
export function analyse(dir, windows) {
  const self = new Map();
  const inclusive = new Map();
  let busyUs = 0;
  let idleUs = 0;
  const spans = windows.map(() => ({ first: Number.POSITIVE_INFINITY, last: 0, us: 0 }));
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return undefined;
  }
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const names = new Map();
    const nameOf = (id) => {
      let s = names.get(id);
      if (s === undefined) {
        s = frameName(nodes.get(id).callFrame);
        names.set(id, s);
      }
      return s;
    };
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i];
      const ms = t / 1000;
      const w = windows.findIndex(([s, e]) => ms >= s && ms <= e);
      if (w < 0) continue;
      // A sample stands for the time until the next one.
      const dt = i + 1 < p.timeDeltas.length ? Math.max(0, p.timeDeltas[i + 1]) : 0;
      const name = nameOf(p.samples[i]);
      if (name.startsWith('(idle)')) {
        idleUs += dt;
        continue;
      }
      busyUs += dt;
      spans[w].first = Math.min(spans[w].first, ms);
      spans[w].last = Math.max(spans[w].last, ms);
      spans[w].us += dt;
      self.set(name, (self.get(name) ?? 0) + dt);
      const seen = new Set();
      for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
        const n = nameOf(id);
        if (seen.has(n)) continue;
        seen.add(n);
        inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
      }
    }
  }
  const sort = (m) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: busyUs ? us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, spans, self: sort(self), inclusive: sort(inclusive) };
}

/** The analysis as text; `per` divides the ms columns (e.g. per change or per request). */
export function formatAnalysis(title, a, { top = 25, per = 1, perLabel = '' } = {}) {
  const lines = [`== ${title}: ${(a.busyMs / per).toFixed(per === 1 ? 0 : 3)} ms of JS-thread CPU${perLabel}`];
  lines.push('   self time:');
  for (const r of a.self.slice(0, top))
    lines.push(
      `   ${(100 * r.share).toFixed(1).padStart(5)}%  ${(r.ms / per).toFixed(3).padStart(9)} ms${perLabel}  ${r.name}`,
    );
  lines.push('   inclusive (frames on the stack):');
  for (const r of a.inclusive.slice(0, top))
    lines.push(
      `   ${(100 * r.share).toFixed(1).padStart(5)}%  ${(r.ms / per).toFixed(3).padStart(9)} ms${perLabel}  ${r.name}`,
    );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith('--')) ?? 'bench/results/propagation-latest.json';
  const opt = Object.fromEntries(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')));
  const result = JSON.parse(readFileSync(file, 'utf8'));
  const run = opt.n ? result.runs.find((r) => r.n === Number(opt.n)) : result.runs[result.runs.length - 1];
  if (!run?.profiles) {
    console.error('no profiles in that run: run the benchmark with --cpu-prof');
    process.exit(1);
  }
  // Each measured change: from just before the API's answer to the last client's receipt.
  const rounds = run.rounds.filter((r) => !r.warmup);
  const windows = rounds.map((r) => [r.answeredAt - 20, r.lastReceiptAt + 2]);
  for (const dir of run.profiles) {
    const a = analyse(dir, windows);
    if (!a) continue;
    console.log(
      `\n${formatAnalysis(dir.split('/').pop(), a, { top: Number(opt.top ?? 25), per: rounds.length, perLabel: '/change' })}`,
    );
    console.log(
      `   busy between ${a.spans.map((s, i) => `${(s.first - rounds[i].answeredAt).toFixed(0)}…${(s.last - rounds[i].answeredAt).toFixed(0)}`).join(', ')} ms after each answer`,
    );
  }
}
