// GrowthBook's JS SDK through its server-side, multi-user API: one GrowthBookClient holding the
// payload (initSync: no network), and client.evalFeature(key, {attributes}) per call, the
// user-scoped call that avoids building a GrowthBook instance per request.
// GrowthBook has no startsWith operator: S4 uses the equivalent anchored $regex. The segment
// is a condition saved group referenced with $savedGroup.
import { GrowthBookClient } from '@growthbook/growthbook';
import { FLAG_KEYS, S2_COUNTRIES, S3_PERCENT, S4_RULES, SEGMENT_CLAUSES, SEGMENT_KEY } from '../spec.mjs';

export const name = 'growthbook';
export const description =
  '@growthbook/growthbook GrowthBookClient.initSync; client.evalFeature(key, {attributes}).value';

export const toContext = (p) => ({
  attributes: { id: p.key, country: p.country, plan: p.plan, age: p.age, email: p.email },
});

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Clauses -> one condition object (the attributes of one rule are distinct, so keys never clash). */
function condition(clauses) {
  const cond = {};
  for (const c of clauses) {
    let part;
    switch (c.op) {
      case 'in':
        part = { $in: c.values };
        break;
      case 'gt':
        part = { $gt: c.value };
        break;
      case 'gte':
        part = { $gte: c.value };
        break;
      case 'startsWith':
        part = { $regex: `^(${c.values.map(escapeRegex).join('|')})` };
        break;
      case 'regex':
        part = { $regex: c.pattern };
        break;
      case 'segment':
        cond.$savedGroup = { id: c.key };
        continue;
      default:
        throw new Error(`growthbook: no mapping for ${c.op}`);
    }
    if (cond[c.attribute]) throw new Error(`growthbook: two clauses on ${c.attribute}`);
    cond[c.attribute] = part;
  }
  return cond;
}

export function payload() {
  return {
    features: {
      [FLAG_KEYS.S1]: { defaultValue: true },
      [FLAG_KEYS.S2]: {
        defaultValue: false,
        rules: [{ id: 'north-america', condition: { country: { $in: S2_COUNTRIES } }, force: true }],
      },
      [FLAG_KEYS.S3]: {
        defaultValue: false,
        rules: [{ id: 'rollout', force: true, coverage: S3_PERCENT / 100, hashAttribute: 'id' }],
      },
      [FLAG_KEYS.S4]: {
        defaultValue: false,
        rules: S4_RULES.map((rule, i) => ({ id: `rule-${i}`, condition: condition(rule), force: true })),
      },
    },
    savedGroups: { [SEGMENT_KEY]: { type: 'condition', condition: condition(SEGMENT_CLAUSES) } },
  };
}

const newClient = (p) => new GrowthBookClient({}).initSync({ payload: p });

export async function setup(scenario) {
  const client = newClient(payload());
  const key = FLAG_KEYS[scenario];
  const probe = client.evalFeature(key, toContext({ key: 'u', country: 'US', plan: 'pro', age: 30, email: 'a@b' }));
  if (probe.source === 'unknownFeature') throw new Error(`growthbook: ${key} not loaded`);
  return {
    toContext,
    evaluate: (ctx) => client.evalFeature(key, ctx).value,
    close: () => client.destroy(),
  };
}

export function loadTask(count) {
  return {
    what: 'new GrowthBookClient().initSync({payload}): stores the parsed payload, nothing compiled',
    makeInput() {
      const features = {};
      for (let i = 0; i < count; i++) {
        features[`flag-${i}`] = {
          defaultValue: false,
          rules: [{ id: 'north-america', condition: { country: { $in: ['US', 'CA'] } }, force: true }],
        };
      }
      return { features };
    },
    load: (p) => newClient(p),
    check(client) {
      const k = `flag-${count - 1}`;
      const a = client.evalFeature(k, { attributes: { id: 'u', country: 'CA' } }).value;
      const b = client.evalFeature(k, { attributes: { id: 'u', country: 'FR' } }).value;
      if (a !== true || b !== false) throw new Error(`growthbook: loaded flag misbehaves (${a}, ${b})`);
    },
    close(client) {
      client?.destroy();
    },
  };
}
