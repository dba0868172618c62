// Who used the CPUs during a timed phase (Linux /proc): the server, this client, PostgreSQL's
// backends for the benchmark database, and everything else on the machine. On a shared machine
// "others" explains outliers that are not the server's doing.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const TICK_MS = 10; // USER_HZ is 100 on Linux
export const NCPU = cpus().length;

export function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // without guest, already in user
  return { busy: total - idle, total };
}

export function processTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

/**
 * Starts a measurement; `end()` returns CPU use in cores (1.0 = one CPU busy for the whole phase).
 * `pids()` is asked at both ends for extra processes to count separately (PostgreSQL backends).
 */
export function cpuPhase(serverPid, pids = async () => []) {
  const t0 = performance.now();
  const m0 = machineTicks();
  const s0 = processTicks(serverPid);
  const c0 = process.cpuUsage();
  const extra0 = pids().then((ps) => new Map(ps.map((p) => [p, processTicks(p)])));
  return {
    async end() {
      const wallMs = performance.now() - t0;
      const m1 = machineTicks();
      const s1 = processTicks(serverPid);
      const c = process.cpuUsage(c0);
      const before = await extra0;
      let dbTicks = 0;
      for (const p of new Set([...before.keys(), ...(await pids())])) dbTicks += processTicks(p) - (before.get(p) ?? 0);
      const cores = (ticks) => (ticks * TICK_MS) / wallMs;
      const machineBusy = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * NCPU;
      const server = cores(s1 - s0);
      const client = (c.user + c.system) / 1000 / wallMs;
      const database = cores(dbTicks);
      const r = (x) => Math.round(x * 100) / 100;
      return {
        cpus: NCPU,
        machineBusy: r(machineBusy),
        server: r(server),
        client: r(client),
        database: r(database),
        others: r(Math.max(0, machineBusy - server - client - database)),
      };
    },
  };
}

/** Cores the whole machine keeps busy over `ms` (call it while the benchmark itself is idle). */
export async function machineBusyOver(ms = 2000) {
  const a = machineTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineTicks();
  return ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * NCPU;
}

/**
 * Waits until other processes keep fewer than `maxCores` busy (sampled over 2 s while we are
 * idle), for at most `timeoutMs`. Resolves { waitedMs, busy } with the last sample.
 */
export async function waitQuiet({ maxCores = 0.25, timeoutMs = 120_000, onWait } = {}) {
  const t0 = performance.now();
  let busy = await machineBusyOver();
  while (busy > maxCores && performance.now() - t0 < timeoutMs) {
    onWait?.(busy);
    busy = await machineBusyOver();
  }
  return { waitedMs: Math.round(performance.now() - t0), busy: Math.round(busy * 100) / 100, quiet: busy <= maxCores };
}
