// LaunchDarkly's Node server SDK, evaluating locally from an offline data source: TestData with
// full flag and segment JSON (usePreconfiguredFlag/usePreconfiguredSegment), events and
// diagnostics off, so nothing touches the network. variation() returns a Promise; each
// evaluation is awaited, which is what a caller pays.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicLogger, init, integrations } from '@launchdarkly/node-server-sdk';
import { FLAG_KEYS, S2_COUNTRIES, S3_PERCENT, S4_RULES, SEGMENT_CLAUSES, SEGMENT_KEY } from '../spec.mjs';

export const name = 'launchdarkly';
export const description = '@launchdarkly/node-server-sdk TestData source; await client.variation(key, ctx, false)';
export const async = true;

export const toContext = (p) => ({
  kind: 'user',
  key: p.key,
  country: p.country,
  plan: p.plan,
  age: p.age,
  email: p.email,
});

const OPTIONS = { sendEvents: false, diagnosticOptOut: true, logger: basicLogger({ level: 'none' }) };

function clause(c) {
  const base = { contextKind: 'user', attribute: c.attribute, negate: false };
  switch (c.op) {
    case 'in':
      return { ...base, op: 'in', values: c.values };
    case 'gt':
      return { ...base, op: 'greaterThan', values: [c.value] };
    case 'gte':
      return { ...base, op: 'greaterThanOrEqual', values: [c.value] };
    case 'startsWith':
      return { ...base, op: 'startsWith', values: c.values };
    case 'regex':
      return { ...base, op: 'matches', values: [c.pattern] };
    case 'segment':
      return { attribute: '', op: 'segmentMatch', values: [c.key], negate: false };
    default:
      throw new Error(`launchdarkly: no mapping for ${c.op}`);
  }
}

const boolFlag = (key, extra) => ({
  key,
  version: 1,
  on: true,
  variations: [false, true],
  offVariation: 0,
  fallthrough: { variation: 0 },
  targets: [],
  contextTargets: [],
  rules: [],
  prerequisites: [],
  salt: key,
  trackEvents: false,
  trackEventsFallthrough: false,
  clientSide: false,
  deleted: false,
  ...extra,
});

export function flags() {
  const weight = S3_PERCENT * 1000;
  return [
    boolFlag(FLAG_KEYS.S1, { fallthrough: { variation: 1 } }),
    boolFlag(FLAG_KEYS.S2, {
      rules: [
        {
          id: 'north-america',
          variation: 1,
          clauses: [clause({ attribute: 'country', op: 'in', values: S2_COUNTRIES })],
        },
      ],
    }),
    boolFlag(FLAG_KEYS.S3, {
      fallthrough: {
        rollout: {
          variations: [
            { variation: 0, weight: 100_000 - weight },
            { variation: 1, weight },
          ],
        },
      },
    }),
    boolFlag(FLAG_KEYS.S4, {
      rules: S4_RULES.map((rule, i) => ({ id: `rule-${i}`, variation: 1, clauses: rule.map(clause) })),
    }),
  ];
}

export const segment = () => ({
  key: SEGMENT_KEY,
  version: 1,
  included: [],
  excluded: [],
  includedContexts: [],
  excludedContexts: [],
  rules: [{ id: 'adult-paying', clauses: SEGMENT_CLAUSES.map(clause) }],
  salt: SEGMENT_KEY,
  deleted: false,
});

export async function setup(scenario) {
  const td = new integrations.TestData();
  for (const f of flags()) await td.usePreconfiguredFlag(f);
  await td.usePreconfiguredSegment(segment());
  const client = init('offline-benchmark-sdk-key', { ...OPTIONS, updateProcessor: td.getFactory() });
  await client.waitForInitialization({ timeout: 10 });
  const key = FLAG_KEYS[scenario];
  const probe = await client.variationDetail(key, { kind: 'user', key: 'probe', country: 'US' }, null);
  if (probe.reason.kind === 'ERROR')
    throw new Error(`launchdarkly: ${key} does not evaluate: ${JSON.stringify(probe)}`);
  return {
    toContext,
    evaluate: (ctx) => client.variation(key, ctx, false),
    close: () => client.close(),
  };
}

/** Load: the file data source (LaunchDarkly's offline mode), so this includes reading and parsing the file. */
export function loadTask(count) {
  const all = {};
  for (let i = 0; i < count; i++) {
    const key = `flag-${i}`;
    all[key] = boolFlag(key, {
      rules: [
        {
          id: 'north-america',
          variation: 1,
          clauses: [clause({ attribute: 'country', op: 'in', values: ['US', 'CA'] })],
        },
      ],
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'vexil-bench-ld-'));
  const path = join(dir, 'flags.json');
  writeFileSync(path, JSON.stringify({ flags: all, segments: {} }));
  return {
    what: 'init() with FileDataSource until initialized: read + parse file + store',
    makeInput: () => path,
    async load(file) {
      const source = new integrations.FileDataSourceFactory({ paths: [file], autoUpdate: false });
      const client = init('offline-benchmark-sdk-key', { ...OPTIONS, updateProcessor: source.getFactory() });
      await client.waitForInitialization({ timeout: 30 });
      return client;
    },
    async check(client) {
      const k = `flag-${count - 1}`;
      const a = await client.variation(k, { kind: 'user', key: 'u', country: 'CA' }, null);
      const b = await client.variation(k, { kind: 'user', key: 'u', country: 'FR' }, null);
      if (a !== true || b !== false) throw new Error(`launchdarkly: loaded flag misbehaves (${a}, ${b})`);
    },
    close(client) {
      client?.close();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
