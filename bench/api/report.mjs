// Targets from the issue, the Unleash reference figures it quotes, and the printed table.

/** Targets from the issue ("bench/api reports flag-update latency …"). */
export const TARGETS = {
  updateP99Ms: { pglite: 20, postgres: 10 },
  readyMs: 1000,
  idleRssMiB: 100,
};

/** Quoted from the issue: Unleash 8.2 measured by the issue author on this machine, not by this benchmark. */
export const UNLEASH = {
  label: 'Unleash 8.2, measured by the issue author on this machine',
  updateP99Ms: 14.5,
  readyMs: 1400,
  idleRssMiB: 166,
};

export const STORE_NAMES = { pglite: 'PGlite', postgres: 'PostgreSQL' };

const ms = (v) => (v === undefined ? '-' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`);
const mib = (v) => (v === undefined ? '-' : `${v.toFixed(1)} MiB`);
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
const cpuCell = (c) => (c ? `${c.server} / ${c.database} / ${c.others} cores` : '-');
/** Other processes busier than this (in cores) during a timed phase make its tail latencies suspect. */
export const BUSY_OTHERS = 0.25;

/** PASS/FAIL of each target for one store's result. */
export function verdicts(store, r) {
  return {
    updateP99: r.sequential.stats.p99 <= TARGETS.updateP99Ms[store],
    ready: r.restarts.medianMs <= TARGETS.readyMs,
    idleRss: r.idle.rssMiB <= TARGETS.idleRssMiB,
  };
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) =>
    r
      .map((cell, c) => String(cell ?? '').padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The report printed on stdout. `results` maps store → result or { skip }. */
export function render({ results, opts, machine }) {
  const stores = Object.keys(results);
  const cell = (store, f) => {
    const r = results[store];
    if (r.skip) return 'skipped';
    if (r.error) return 'error';
    return f(r, store);
  };
  const withVerdict = (text, ok) => `${text}  ${verdict(ok)}`;
  const header = ['', ...stores.map((s) => STORE_NAMES[s]), 'target', `Unleash 8.2 ¹`];
  const rows = [header];
  const add = (label, f, target = '', unleash = '') =>
    rows.push([label, ...stores.map((s) => cell(s, f)), target, unleash]);

  add(
    `flag update p99, sequential`,
    (r, s) => withVerdict(ms(r.sequential.stats.p99), verdicts(s, r).updateP99),
    `≤ ${TARGETS.updateP99Ms.pglite} ms PGlite, ≤ ${TARGETS.updateP99Ms.postgres} ms PostgreSQL`,
    `${UNLEASH.updateP99Ms} ms ²`,
  );
  add('  p50 / p90', (r) => `${ms(r.sequential.stats.p50)} / ${ms(r.sequential.stats.p90)}`);
  add('  max', (r) => ms(r.sequential.stats.max));
  add(
    `flag update, ${opts.concurrency} in flight: p50 / p99`,
    (r) => `${ms(r.concurrent.stats.p50)} / ${ms(r.concurrent.stats.p99)}`,
  );
  add('  throughput', (r) => `${r.concurrent.throughputPerSec.toFixed(0)} updates/s`);
  add(
    `start-to-ready, ${opts.flags} flags, median of ${opts.restarts}`,
    (r, s) => withVerdict(ms(r.restarts.medianMs), verdicts(s, r).ready),
    `≤ ${TARGETS.readyMs} ms`,
    `${UNLEASH.readyMs} ms`,
  );
  add(
    '  min – max',
    (r) =>
      `${ms(r.restarts.minMs)} – ${ms(r.restarts.maxMs)}${r.restarts.maxMs > TARGETS.readyMs ? ' (max over target)' : ''}`,
  );
  add('  as the server reports it ³', (r) => ms(r.restarts.reportedMedianMs));
  add(
    `idle RSS, ${opts.idleMs / 1000} s after restart`,
    (r, s) => withVerdict(mib(r.idle.rssMiB), verdicts(s, r).idleRss),
    `≤ ${TARGETS.idleRssMiB} MiB`,
    `${UNLEASH.idleRssMiB} MiB`,
  );
  add('  anon / file-backed', (r) => `${mib(r.idle.anonMiB)} / ${mib(r.idle.fileMiB)}`);
  add('RSS after the update runs (not idle)', (r) => mib(r.afterWork.rssMiB));
  add(
    'CPU time per update, sequential: server / DB',
    (r) => `${ms(r.sequential.serverCpuMsPerUpdate)} / ${ms(r.sequential.dbCpuMsPerUpdate)}`,
  );
  add('CPU in sequential updates: server / DB / others', (r) => cpuCell(r.cpu?.sequential));
  add(`CPU with ${opts.concurrency} in flight: server / DB / others`, (r) => cpuCell(r.cpu?.concurrent));
  add('context: first start, empty store (creates it)', (r) => ms(r.firstStart.readyMs));
  add('context: GET /health p50 / p99', (r) => `${ms(r.floors.health.p50)} / ${ms(r.floors.health.p99)}`);
  add('context: GET flag targeting p50 / p99', (r) => `${ms(r.floors.read.p50)} / ${ms(r.floors.read.p99)}`);
  add(
    'context: seeding (POST + PUT per flag)',
    (r) => `${(r.seed.wallMs / 1000).toFixed(1)} s, ${r.seed.flagsPerSec.toFixed(0)} flags/s`,
  );

  const out = [];
  out.push(
    `Vexil API benchmark: ${opts.flags} flags; ${opts.updates} sequential targeting updates after ${opts.warmup} warm-up, then ${opts.concurrentUpdates} with ${opts.concurrency} in flight`,
  );
  out.push(`${machine.cpu} ×${machine.cpus}, ${machine.memGiB} GiB, Node ${machine.node}, ${machine.os}`);
  out.push(
    `server: packages/server/dist built ${machine.serverBuiltAt}, commit ${machine.commit?.slice(0, 10) ?? '?'}${machine.uncommittedServerFiles?.length ? ` + ${machine.uncommittedServerFiles.length} uncommitted changes under packages/` : ''}`,
  );
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push(`¹ ${UNLEASH.label}, as quoted in the issue; not measured by this benchmark.`);
  out.push('² the issue does not say which store; Unleash runs on PostgreSQL only.');
  out.push('³ "Vexil is ready … (N ms)": from main() to listening, without Node\'s own start-up and module loading.');
  out.push(
    'Latency: from the client, HTTP/1.1 keep-alive on 127.0.0.1, request issued to last byte received; nearest-rank percentiles.',
  );
  out.push(
    `CPU: cores used during the phase (machine has ${machine.cpus}); DB = PostgreSQL's backends for the benchmark database and its WAL writer, checkpointer and background writer; others = every other process on the machine.`,
  );
  for (const s of stores) {
    const r = results[s];
    for (const [phase, c] of Object.entries(r.cpu ?? {}))
      if (c.others > BUSY_OTHERS)
        out.push(
          `WARNING ${STORE_NAMES[s]} ${phase}: other processes used ${c.others} of ${c.cpus} cores meanwhile; its latencies are inflated by a shared machine.`,
        );
    const noisy = (r.restarts?.runs ?? []).filter((x) => x.othersCores > BUSY_OTHERS);
    if (noisy.length)
      out.push(
        `WARNING ${STORE_NAMES[s]} restarts: ${noisy.length} of ${r.restarts.runs.length} ran while other processes used > ${BUSY_OTHERS} cores (see JSON).`,
      );
    if (r.skip) out.push(`${STORE_NAMES[s]} skipped: ${r.skip}`);
    if (r.error) out.push(`${STORE_NAMES[s]} failed: ${r.error}`);
  }
  return out.join('\n');
}
