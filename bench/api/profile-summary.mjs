#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `run.mjs --cpu-prof`): where the server's CPU time went, by
// component and by function (self and inclusive), optionally within a time window.
//   node bench/api/profile-summary.mjs FILE.cpuprofile [--from-ms=N] [--to-ms=N] [--top=25]
import { readFileSync } from 'node:fs';

/** Which part of the program a frame belongs to. */
export function componentOf({ functionName, url }) {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url.startsWith('wasm://') || (url === '' && /^\$|^wasm-function/.test(functionName)))
    return 'PGlite WASM (postgres)';
  if (url.includes('@electric-sql/pglite')) return 'PGlite JS';
  if (/node_modules\/(pg|pg-[a-z]+|pgpass|postgres-[a-z]+)\//.test(url)) return 'pg driver';
  if (
    /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-[a-z-]+|pino|process-warning)\b/.test(url)
  )
    return 'Fastify';
  if (url.includes('/packages/core/')) return '@vexil/core';
  if (url.includes('/packages/server/')) return 'server (packages/server)';
  if (url.startsWith('node:') || url === '') return 'Node internals';
  if (url.includes('node_modules')) return 'other dependencies';
  return 'other';
}

export function summarizeProfile(profile, { fromMs = 0, toMs = Number.POSITIVE_INFINITY, top = 25 } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map();
  const components = new Map();
  let t = 0;
  let total = 0;
  const label = (f) =>
    `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${f.lineNumber + 1}` : ''}`.trim();
  for (let i = 0; i < profile.samples.length; i++) {
    t += (profile.timeDeltas[i] ?? 0) / 1000;
    if (t < fromMs || t > toMs) continue;
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    total += dt;
    const f = node.callFrame;
    self.set(label(f), (self.get(label(f)) ?? 0) + dt);
    const comp = componentOf(f);
    components.set(comp, (components.get(comp) ?? 0) + dt);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id).callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  }
  const sorted = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / total) * 1000) / 10 }));
  return {
    totalMs: Math.round(total),
    components: sorted(components),
    self: sorted(self),
    inclusive: sorted(new Map([...inclusive].filter(([k]) => !/^\((root|program|idle)\)/.test(k)))),
  };
}

export function printSummary(s, title = '') {
  const lines = [`${title}${s.totalMs} ms of samples`];
  const block = (name, rows) => {
    lines.push(`  ${name}:`);
    for (const r of rows) lines.push(`    ${String(r.ms).padStart(7)} ms ${String(r.share).padStart(5)}%  ${r.name}`);
  };
  block('by component (self time)', s.components);
  block('by function, self time', s.self);
  block('by function, inclusive time', s.inclusive);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/api/profile-summary.mjs FILE.cpuprofile [--from-ms=N] [--to-ms=N] [--top=N]');
    process.exit(2);
  }
  const opt = (k) => {
    const a = process.argv.find((x) => x.startsWith(`--${k}=`));
    return a === undefined ? undefined : Number(a.slice(k.length + 3));
  };
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), {
    fromMs: opt('from-ms') ?? 0,
    toMs: opt('to-ms') ?? Number.POSITIVE_INFINITY,
    top: opt('top') ?? 25,
  });
  console.log(printSummary(s, `${file}: `));
}
