// Unleash's Node SDK, offline: bootstrapped from in-memory data (features and segments) with an
// in-memory storage provider, refreshInterval 0 (never polls) and metrics disabled, so the
// unused URL is never contacted. unleash.isEnabled(name, context).
import { InMemStorageProvider, startUnleash, Unleash } from 'unleash-client';
import { FLAG_KEYS, S2_COUNTRIES, S3_PERCENT, S4_RULES, SEGMENT_CLAUSES } from '../spec.mjs';

export const name = 'unleash';
export const description = 'unleash-client bootstrap (no server); unleash.isEnabled(name, ctx)';

/** Unleash's context: userId, plus custom fields under properties. */
export const toContext = (p) => ({
  userId: p.key,
  properties: { country: p.country, plan: p.plan, age: p.age, email: p.email },
});

const SEGMENT_ID = 1;

// The unused URL is on the loopback interface; with refreshInterval 0 and metrics off it is never fetched.
const offlineOptions = (features, segments) => ({
  appName: 'vexil-bench',
  url: 'http://127.0.0.1:9/unused/api/',
  refreshInterval: 0,
  metricsInterval: 0,
  disableMetrics: true,
  skipInstanceCountWarning: true,
  storageProvider: new InMemStorageProvider(),
  bootstrap: { data: features, segments },
});

function constraint(c) {
  switch (c.op) {
    case 'in':
      return { contextName: c.attribute, operator: 'IN', values: c.values, inverted: false, caseInsensitive: false };
    case 'gt':
      return { contextName: c.attribute, operator: 'NUM_GT', value: String(c.value), inverted: false };
    case 'gte':
      return { contextName: c.attribute, operator: 'NUM_GTE', value: String(c.value), inverted: false };
    case 'startsWith':
      return {
        contextName: c.attribute,
        operator: 'STR_STARTS_WITH',
        values: c.values,
        inverted: false,
        caseInsensitive: false,
      };
    case 'regex':
      return { contextName: c.attribute, operator: 'REGEX', value: c.pattern, inverted: false, caseInsensitive: false };
    default:
      throw new Error(`unleash: no mapping for ${c.op}`);
  }
}

/** A rule becomes a strategy: its clauses its constraints, a segment clause a strategy segment. */
function strategy(rule) {
  return {
    name: 'default',
    parameters: {},
    constraints: rule.filter((c) => c.op !== 'segment').map(constraint),
    segments: rule.some((c) => c.op === 'segment') ? [SEGMENT_ID] : [],
  };
}

const feature = (name, strategies) => ({
  name,
  enabled: true,
  project: 'default',
  type: 'release',
  stale: false,
  impressionData: false,
  variants: [],
  strategies,
});

export function features() {
  return [
    feature(FLAG_KEYS.S1, [{ name: 'default', parameters: {}, constraints: [] }]),
    feature(FLAG_KEYS.S2, [strategy([{ attribute: 'country', op: 'in', values: S2_COUNTRIES }])]),
    feature(FLAG_KEYS.S3, [
      {
        name: 'flexibleRollout',
        parameters: { rollout: String(S3_PERCENT), stickiness: 'default', groupId: FLAG_KEYS.S3 },
        constraints: [],
      },
    ]),
    feature(FLAG_KEYS.S4, S4_RULES.map(strategy)),
  ];
}

export const segments = () => [{ id: SEGMENT_ID, name: 'power-users', constraints: SEGMENT_CLAUSES.map(constraint) }];

export async function setup(scenario) {
  const unleash = await startUnleash(offlineOptions(features(), segments()));
  const key = FLAG_KEYS[scenario];
  if (!unleash.getFeatureToggleDefinition(key)) throw new Error(`unleash: ${key} not loaded`);
  return {
    toContext,
    evaluate: (ctx) => unleash.isEnabled(key, ctx),
    close: () => unleash.destroy(),
  };
}

export function loadTask(count) {
  const make = () => {
    const list = [];
    for (let i = 0; i < count; i++)
      list.push(feature(`flag-${i}`, [strategy([{ attribute: 'country', op: 'in', values: ['US', 'CA'] }])]));
    return list;
  };
  return {
    what: 'new Unleash({bootstrap}) until synchronized (bootstrap objects kept as given)',
    makeInput: make,
    async load(list) {
      const unleash = new Unleash(offlineOptions(list, []));
      await new Promise((resolve, reject) => {
        unleash.once('synchronized', resolve);
        unleash.once('error', reject);
      });
      return unleash;
    },
    check(unleash) {
      const k = `flag-${count - 1}`;
      const a = unleash.isEnabled(k, { userId: 'u', properties: { country: 'CA' } });
      const b = unleash.isEnabled(k, { userId: 'u', properties: { country: 'FR' } });
      if (a !== true || b !== false) throw new Error(`unleash: loaded flag misbehaves (${a}, ${b})`);
    },
    close(unleash) {
      unleash?.destroy();
    },
  };
}
