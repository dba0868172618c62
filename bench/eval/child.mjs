// One measurement in a fresh process (started by run.mjs), so that no system's JIT feedback,
// heap or timers affect another's:
//   node --expose-gc child.mjs eval <system> <scenario> [runs] [targetMs] [warmupMs]
//   node --expose-gc child.mjs load <system> <count> [runs]
// Prints one line "RESULT <json>" on stdout; exits non-zero on any failure.
import { attempts, installNetGuard } from './netguard.mjs';

installNetGuard();

const { buildPeople } = await import('./contexts.mjs');
const { CLOCK, measure, median, timeCall } = await import('./measure.mjs');
const { systemById } = await import('./systems.mjs');
const floor = await import('./scenarios/floor.mjs');

const SANITY_SAMPLE = 20_000;
const gc = globalThis.gc ?? (() => {});

const [task, systemId, arg, ...rest] = process.argv.slice(2);
const system = systemById(systemId);
const mod = await import(system.module);

function fail(message) {
  console.error(`\n*** ${systemId} ${arg}: ${message}\n`);
  process.exit(1);
}

async function evalTask(scenario, runs = 5, targetMs = 250, warmupMs = 1000) {
  const people = buildPeople();
  const instance = await mod.setup(scenario, system.options);
  const contexts = people.map(instance.toContext);
  const evaluate = instance.evaluate;
  const isAsync = mod.async === true;

  // Sanity: the same answers as the floor (S3: the same share of trues; Vexil: the same buckets).
  const sample = Math.min(SANITY_SAMPLE, people.length);
  const mismatches = [];
  let trues = 0;
  const exactS3 = systemId === 'floor' || systemId.startsWith('vexil');
  for (let i = 0; i < sample; i++) {
    const got = isAsync ? await evaluate(contexts[i]) : evaluate(contexts[i]);
    if (got === true) trues++;
    if (typeof got !== 'boolean') mismatches.push({ i, got, reason: 'not a boolean' });
    else if (scenario !== 'S3' || exactS3) {
      const want = floor.expected(scenario, people[i]);
      if (got !== want) mismatches.push({ i, person: people[i], got, want });
    }
    if (mismatches.length >= 5) break;
  }
  if (mismatches.length) fail(`results differ from the floor, e.g. ${JSON.stringify(mismatches, null, 1)}`);
  const share = trues / sample;
  if (scenario === 'S3' && Math.abs(share - 0.5) > 0.02)
    fail(`S3 served true to ${(share * 100).toFixed(1)}% of contexts, not ~50%`);

  const m = await measure(evaluate, contexts, { async: isAsync, runs, targetMs, warmupMs });
  await instance.close?.();
  return { task: 'eval', system: systemId, scenario, async: isAsync, sanity: { sample, trueShare: share }, ...m };
}

async function loadTask(count, runs = 5) {
  const t = mod.loadTask(count);
  const time = async (input) => {
    const { result, wallMs, cpuMs } = await timeCall(() => t.load(input));
    return { instance: result, wallMs, cpuMs };
  };

  // Heap: retained by a loaded instance, measured after full GCs with the inputs dropped;
  // the median of 3 instances (one measurement now and then catches the GC mid-way).
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
  };
  const heapRuns = [];
  let first;
  for (let r = 0; r < 3; r++) {
    await settle();
    const before = process.memoryUsage().heapUsed;
    let input = t.makeInput();
    const loaded = await time(input);
    input = undefined;
    await settle();
    heapRuns.push(process.memoryUsage().heapUsed - before);
    await t.check(loaded.instance);
    await t.close(loaded.instance);
    first ??= loaded;
    loaded.instance = undefined;
  }
  const heapBytes = median(heapRuns);

  // Load time: fresh input each time (not timed), median of `runs`.
  const wallTimes = [];
  const cpuTimes = [];
  for (let r = 0; r < runs; r++) {
    let inp = t.makeInput();
    gc();
    const { instance, wallMs, cpuMs } = await time(inp);
    inp = undefined;
    wallTimes.push(wallMs);
    cpuTimes.push(cpuMs);
    await t.check(instance);
    await t.close(instance);
  }
  await t.cleanup?.();
  // Like evaluations, loads are timed by the main thread's CPU time (others' processes do not
  // count), except loads too short for its scheduler-tick resolution: those by the wall clock.
  const useCpu = CLOCK !== 'wall clock' && median(wallTimes) >= 20;
  const times = useCpu ? cpuTimes : wallTimes;
  return {
    task: 'load',
    system: systemId,
    count,
    what: t.what,
    heapBytes,
    heapRunsBytes: heapRuns,
    clock: useCpu ? CLOCK : 'wall clock',
    coldMs: useCpu ? first.cpuMs : first.wallMs,
    runsMs: times,
    wallRunsMs: wallTimes,
    cpuRunsMs: cpuTimes,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
  };
}

try {
  let result;
  if (task === 'eval') result = await evalTask(arg, ...rest.map(Number));
  else if (task === 'load') result = await loadTask(Number(arg), ...rest.map(Number));
  else throw new Error(`unknown task ${task}`);
  if (attempts.length) fail(`network access attempted: ${attempts.join('; ')}`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // Some SDKs keep handles (timers, emitters) open after close(); the result is out, so stop here.
  process.exit(0);
} catch (e) {
  fail(e?.stack ?? String(e));
}
