#!/usr/bin/env node
// Where POST /client/v1/evaluate spends its CPU, without HTTP: the server's own evaluateAll() and
// JSON.stringify on an EnvironmentFeed of the benchmark's 1,000 flags, against a proposed
// renderer that caches each flag's serialised entry per (feed seq, flag, variation) and only
// evaluates and joins. Imports the built server (packages/server/dist), so it measures the code
// as it is; the proposed renderer is checked to produce exactly the same JSON.
//
//   node bench/http/evaluate-micro.mjs [--flags=1000] [--calls=2000]
import { clientVisibleKeys, evaluateAll, evaluationEtag } from '../../packages/server/dist/dataplane/client-eval.js';
import { EnvironmentFeed } from '../../packages/server/dist/dataplane/environment-feed.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const FLAGS = Number(args.flags ?? 1000);
const CALLS = Number(args.calls ?? 2000);

// The same flags as bench/http/run.mjs seeds (as the store hands them to a feed).
const flags = {};
for (let i = 0; i < FLAGS; i++) {
  const key = `bench-flag-${String(i).padStart(4, '0')}`;
  flags[key] = {
    key,
    version: 2,
    kind: 'boolean',
    clientVisible: true,
    variations: [{ value: true }, { value: false }],
    offVariation: 1,
    on: true,
    rules: [
      {
        id: 'region',
        clauses: [{ attribute: 'country', op: 'in', values: i % 2 ? ['DE', 'FR'] : ['NL', 'BE'] }],
        serve: { variation: 0 },
      },
    ],
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: 50_000 },
          { variation: 1, weight: 50_000 },
        ],
      },
    },
  };
}
const feed = new EnvironmentFeed('env', { environmentId: 'env', seq: 2 * FLAGS, flags, segments: {} });
const context = { kind: 'user', key: 'user-42', country: 'US' };

/**
 * The proposal: a flag's entry `"key":{"value":…,"variation":n,"version":v}` depends only on the
 * flag (at this feed seq) and the variation served, so it is serialised once and reused; a
 * request evaluates each flag and joins cached strings. Entries with reasons or an experiment
 * flag are rare and serialised as today.
 */
const fragments = new WeakMap();
function renderAll(feed, context) {
  let cache = fragments.get(feed);
  if (cache?.seq !== feed.seq) {
    cache = { seq: feed.seq, byKey: new Map() };
    fragments.set(feed, cache);
  }
  const keys = clientVisibleKeys(feed);
  const parts = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const r = feed.evaluator.evaluate(key, context);
    if (r.inExperiment) {
      parts[i] =
        `${JSON.stringify(key)}:${JSON.stringify({ value: r.value, variation: r.variationIndex, version: r.version, inExperiment: true })}`;
      continue;
    }
    let perVariation = cache.byKey.get(key);
    if (perVariation === undefined) {
      perVariation = [];
      cache.byKey.set(key, perVariation);
    }
    const slot = r.variationIndex === null ? 0 : r.variationIndex + 1;
    let entry = perVariation[slot];
    if (entry === undefined) {
      entry = `${JSON.stringify(key)}:${JSON.stringify({ value: r.value, variation: r.variationIndex, version: r.version })}`;
      perVariation[slot] = entry;
    }
    parts[i] = entry;
  }
  return `{"flags":{${parts.join(',')}}}`;
}

const evaluationsOnly = () => {
  let n = 0;
  for (const key of clientVisibleKeys(feed)) if (feed.evaluator.evaluate(key, context).value === true) n++;
  return n;
};
const variants = [
  [
    'today: JSON.stringify(evaluateAll(feed, context))',
    () => JSON.stringify(evaluateAll(feed, context, { withReasons: false })),
  ],
  [
    '  of which evaluateAll() (evaluations + the result object)',
    () => evaluateAll(feed, context, { withReasons: false }),
  ],
  ['  of which the evaluations alone', evaluationsOnly],
  ['proposed: evaluate + cached per-(flag, variation) entries, joined', () => renderAll(feed, context)],
  ['evaluationEtag() (sha256 of the context), per request', () => evaluationEtag(feed, context, 'client.values')],
];
if (variants[0][1]() !== renderAll(feed, context))
  throw new Error('the proposed renderer does not produce the same JSON');

console.log(
  `${FLAGS} client-visible flags, one context, ${CALLS} calls each after a warm-up (µs of process CPU per call):`,
);
for (let round = 0; round < 2; round++) {
  for (const [name, fn] of variants) {
    for (let i = 0; i < 300; i++) fn();
    const c0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) fn();
    const c = process.cpuUsage(c0);
    if (round === 1) console.log(`${((c.user + c.system) / CALLS).toFixed(1).padStart(8)} µs  ${name}`);
  }
}
