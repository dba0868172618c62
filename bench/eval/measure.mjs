// Timing: each run evaluates n contexts taken in turn from the pool, counting true results into
// a checksum so that no evaluation can be optimised away. A run is sized to last ~targetMs.
// Every child process measures one system on one scenario, so the call `fn(ctx)` below only
// ever sees one function and stays monomorphic, as it would in an application.

import { readFileSync } from 'node:fs';

const now = () => process.hrtime.bigint();
const gc = globalThis.gc ?? (() => {});

// On a shared machine, wall-clock time includes the time other processes hold the CPU, so runs
// are timed with the main thread's own CPU time where Node or Linux reports it:
// process.threadCpuUsage() (newer Node, microseconds), else Linux schedstat (nanoseconds, but
// brought up to date only every scheduler tick, <= 4 ms: under 2% of a 250 ms run).
// Wall time is kept alongside. VEXIL_BENCH_CLOCK=wall forces the wall clock.
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const [threadCpuNs, CLOCK_NAME] = (() => {
  if (process.env.VEXIL_BENCH_CLOCK === 'wall') return [null, 'wall clock'];
  if (typeof process.threadCpuUsage === 'function') {
    const read = () => {
      const u = process.threadCpuUsage();
      return (u.user + u.system) * 1000;
    };
    return [read, 'main-thread CPU time (process.threadCpuUsage)'];
  }
  const read = () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]);
  try {
    return Number.isFinite(read()) && read() > 0 ? [read, 'main-thread CPU time (schedstat)'] : [null, 'wall clock'];
  } catch {
    return [null, 'wall clock'];
  }
})();
export const CLOCK = CLOCK_NAME;

/** Times one (possibly async) call: {result, wallMs, cpuMs} (cpuMs is the wall time without a CPU clock). */
export async function timeCall(f) {
  const c0 = threadCpuNs?.();
  const t0 = now();
  const result = await f();
  const wallMs = Number(now() - t0) / 1e6;
  return { result, wallMs, cpuMs: threadCpuNs ? (threadCpuNs() - c0) / 1e6 : wallMs };
}

function runSync(fn, contexts, n, start) {
  const len = contexts.length;
  let j = start;
  let trues = 0;
  for (let i = 0; i < n; i++) {
    if (fn(contexts[j]) === true) trues++;
    if (++j === len) j = 0;
  }
  return trues;
}

async function runAsync(fn, contexts, n, start) {
  const len = contexts.length;
  let j = start;
  let trues = 0;
  for (let i = 0; i < n; i++) {
    if ((await fn(contexts[j])) === true) trues++;
    if (++j === len) j = 0;
  }
  return trues;
}

/**
 * Measures fn over contexts. Returns {n, runs: [ns/eval], median, min, max, wallMedian, checksum, ...}.
 * options: {async, runs = 5, targetMs = 250, warmupMs = 1000}
 */
export async function measure(fn, contexts, { async = false, runs = 5, targetMs = 250, warmupMs = 1000 } = {}) {
  const run = async ? runAsync : runSync;
  let checksum = 0;
  let cursor = 0;
  const timed = async (n) => {
    const c0 = threadCpuNs?.();
    const t0 = now();
    const trues = await run(fn, contexts, n, cursor);
    const wall = Number(now() - t0);
    const cpu = threadCpuNs ? threadCpuNs() - c0 : wall;
    cursor = (cursor + n) % contexts.length;
    checksum += trues;
    return { wall, cpu };
  };

  // Warm up for at least warmupMs, in batches that double until one takes >= 20 ms, so that
  // every JIT tier has had its chance; the last (warm) batch then sizes the timed runs.
  let n = 1000;
  let warmed = 0;
  let elapsed = 0;
  for (;;) {
    elapsed = (await timed(n)).wall;
    warmed += elapsed;
    if (warmed >= warmupMs * 1e6 && elapsed >= 20e6) break;
    if (elapsed < 20e6) n *= 2;
  }
  const perEval = elapsed / n;
  const runN = Math.max(1000, Math.round((targetMs * 1e6) / perEval));
  const results = [];
  const wallResults = [];
  for (let r = 0; r < runs; r++) {
    gc();
    const { wall, cpu } = await timed(runN);
    results.push(cpu / runN);
    wallResults.push(wall / runN);
  }
  const sorted = [...results].sort((a, b) => a - b);
  return {
    clock: CLOCK,
    n: runN,
    runs: results,
    wallRuns: wallResults,
    median: sorted[Math.floor(sorted.length / 2)],
    min: sorted[0],
    max: sorted[sorted.length - 1],
    wallMedian: median(wallResults),
    checksum,
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
