// Formats the results as text tables (stdout) and checks the targets.
import { SCENARIO_TITLES, SCENARIOS } from './spec.mjs';

export const TARGETS = {
  vexilOverFloor: 1.5, // Vexil within 1.5x of the floor on every scenario
  heapMiB: 5, // 10,000 flags <= 5 MiB heap
  loadMs: 50, // loaded (validated + compiled) <= 50 ms
};

const MiB = 1024 * 1024;

const fmtNs = (ns) =>
  ns >= 10_000 ? ns.toFixed(0) : ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);
const fmtRatio = (r) => (r >= 100 ? `${r.toFixed(0)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`);
const clockWord = (l) => (l.clock === 'wall clock' ? 'wall' : 'CPU');
const fmtMs = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const pad = (s, w) => String(s).padEnd(w);
const lpad = (s, w) => String(s).padStart(w);

/** results: eval task results; returns {text, ratios, targets}. */
export function report({ meta, evals, loads, systems }) {
  const byKey = new Map(evals.map((r) => [`${r.system}/${r.scenario}`, r]));
  const get = (system, scenario) => byKey.get(`${system}/${scenario}`);
  const scenarios = SCENARIOS.filter((s) => evals.some((r) => r.scenario === s));
  const present = systems.filter((id) => evals.some((r) => r.system === id));

  const lines = [];
  const out = (s = '') => lines.push(s);
  const colW = 24;
  const nameW = 22;

  const clock = evals[0]?.clock ?? 'wall clock';
  out(
    `Flag evaluation latency: ns per evaluation, median of ${meta.runs} runs (min-max), each run ~${meta.targetMs} ms, timed by ${clock}`,
  );
  out(
    `${meta.poolSize.toLocaleString('en-US')} contexts, a different one per evaluation; one process per system x scenario`,
  );
  out(
    `${meta.node} ${meta.platform}, ${meta.cpu}, NODE_ENV=${meta.nodeEnv}${meta.core === '@vexil/core' ? '' : `, core: ${meta.core}`}`,
  );
  out();
  out(pad('system', nameW) + scenarios.map((s) => pad(`${s} ${SCENARIO_TITLES[s]}`.slice(0, colW - 1), colW)).join(''));
  for (const id of present) {
    const cells = scenarios.map((s) => {
      const r = get(id, s);
      return pad(r ? `${fmtNs(r.median)} (${fmtNs(r.min)}-${fmtNs(r.max)})` : '-', colW);
    });
    const mark = evals.find((r) => r.system === id)?.async ? ' *' : '';
    out(pad(id + mark, nameW) + cells.join(''));
  }
  if (present.some((id) => evals.find((r) => r.system === id)?.async)) {
    out('  * async API: each evaluation awaited (Promise + microtask included: what a caller pays)');
  }

  // Ratios.
  const ratios = {};
  const ratioRow = (label, num, den, target) => {
    const cells = scenarios.map((s) => {
      const a = get(num, s);
      const b = get(den, s);
      if (!a || !b) return pad('-', colW);
      const r = a.median / b.median;
      ratios[`${num}/${den}`] ??= {};
      ratios[`${num}/${den}`][s] = r;
      const verdict = target === undefined ? '' : r <= target ? '  PASS' : '  FAIL';
      return pad(fmtRatio(r) + verdict, colW);
    });
    out(pad(label, nameW) + cells.join(''));
  };
  out();
  out(`ratios of medians (target: vexil <= ${TARGETS.vexilOverFloor}x floor on every scenario)`);
  if (present.includes('vexil') && present.includes('floor')) {
    ratioRow('vexil / floor', 'vexil', 'floor', TARGETS.vexilOverFloor);
    if (present.includes('vexil-compiled')) ratioRow('vexil-compiled / floor', 'vexil-compiled', 'floor');
    const diff = scenarios.map((s) => {
      const a = get('vexil', s);
      const b = get('floor', s);
      return pad(a && b ? `+${fmtNs(a.median - b.median)} ns` : '-', colW);
    });
    out(pad('vexil - floor', nameW) + diff.join(''));
  }
  if (present.includes('vexil')) {
    for (const id of present) {
      if (id === 'floor' || id.startsWith('vexil')) continue;
      ratioRow(`${id} / vexil`, id, 'vexil');
    }
  }

  // Targets.
  const targets = {};
  if (ratios['vexil/floor']) {
    const worst = Object.entries(ratios['vexil/floor']).sort((a, b) => b[1] - a[1])[0];
    targets.vexilWithinFloor = {
      target: `<= ${TARGETS.vexilOverFloor}x floor on every scenario`,
      worst: { scenario: worst[0], ratio: worst[1] },
      pass: Object.values(ratios['vexil/floor']).every((r) => r <= TARGETS.vexilOverFloor),
    };
  }

  const vexilLoad = loads.find((l) => l.system === 'vexil');
  if (vexilLoad) {
    const heapMiB = vexilLoad.heapBytes / MiB;
    targets.heap = { target: `<= ${TARGETS.heapMiB} MiB`, value: heapMiB, pass: heapMiB <= TARGETS.heapMiB };
    targets.load = {
      target: `<= ${TARGETS.loadMs} ms`,
      value: vexilLoad.medianMs,
      pass: vexilLoad.medianMs <= TARGETS.loadMs,
    };
    out();
    out(`Vexil, ${vexilLoad.count.toLocaleString('en-US')} flags of S2's shape (${vexilLoad.what})`);
    const heapLine = `  heap   ${heapMiB.toFixed(2)} MiB retained (${(vexilLoad.heapBytes / vexilLoad.count).toFixed(0)} B/flag, median of 3)`;
    out(`${heapLine.padEnd(64)}target <= ${TARGETS.heapMiB} MiB   ${targets.heap.pass ? 'PASS' : 'FAIL'}`);
    const range = `${vexilLoad.minMs.toFixed(1)}-${vexilLoad.maxMs.toFixed(1)}; first ${vexilLoad.coldMs.toFixed(1)}`;
    const loadLine = `  load   ${vexilLoad.medianMs.toFixed(1)} ms median of ${vexilLoad.runsMs.length}, ${clockWord(vexilLoad)} (${range})`;
    out(`${loadLine.padEnd(64)}target <= ${TARGETS.loadMs} ms    ${targets.load.pass ? 'PASS' : 'FAIL'}`);
  }
  const peerLoads = loads.filter((l) => l.system !== 'vexil');
  if (peerLoads.length) {
    out();
    out(
      `Peers, the same ${peerLoads[0].count.toLocaleString('en-US')} flags in their own format (for comparison; no targets)`,
    );
    for (const l of peerLoads) {
      out(
        `  ${pad(l.system, 14)} heap ${lpad((l.heapBytes / MiB).toFixed(2), 7)} MiB   load ${lpad(fmtMs(l.medianMs), 7)} ms ${clockWord(l).padEnd(4)} (first ${fmtMs(l.coldMs)})   ${l.what}`,
      );
    }
  }

  if (targets.vexilWithinFloor || targets.heap) {
    out();
    const verdicts = Object.entries(targets).map(([k, t]) => `${k} ${t.pass ? 'PASS' : 'FAIL'}`);
    out(`targets: ${verdicts.join(', ')}`);
  }
  const busiest = Math.max(...evals.map((r) => r.wallMedian / r.median));
  if (clock !== 'wall clock' && busiest > 1.1) {
    out(
      `note: the machine was busy: wall time exceeded this process's CPU time by up to ${((busiest - 1) * 100).toFixed(0)}% (wall figures in the JSON)`,
    );
  }
  const checksum = evals.reduce((s, r) => s + r.checksum, 0);
  out(`checksum ${checksum} (true results counted across all timed evaluations)`);
  return { text: lines.join('\n'), ratios, targets };
}
