// Vexil: @vexil/core's evaluator, in-process. Two call styles are measured:
//   vexil           evaluator.evaluate(key, ctx)       what an SDK's variation() does: Map lookup + try/catch
//   vexil-compiled  evaluator.flag(key).evaluate(ctx)   the compiled flag, fetched once
import { createEvaluator } from '../core.mjs';
import { FLAG_KEYS, S2_COUNTRIES, S4_RULES, SEGMENT_CLAUSES, SEGMENT_KEY } from '../spec.mjs';
import { toContext } from './floor.mjs';

export const name = 'vexil';
export const description = '@vexil/core createEvaluator; evaluator.evaluate(key, ctx).value';

export { toContext };

const BOOL = [{ value: false }, { value: true }];

function clause(c) {
  switch (c.op) {
    case 'in':
      return { attribute: c.attribute, op: 'in', values: c.values };
    case 'gt':
      return { attribute: c.attribute, op: 'greaterThan', values: [c.value] };
    case 'gte':
      return { attribute: c.attribute, op: 'greaterThanOrEqual', values: [c.value] };
    case 'startsWith':
      return { attribute: c.attribute, op: 'startsWith', values: c.values };
    case 'regex':
      return { attribute: c.attribute, op: 'matches', values: [c.pattern] };
    case 'segment':
      return { op: 'segmentMatch', values: [c.key] };
    default:
      throw new Error(`vexil: no mapping for ${c.op}`);
  }
}

const boolFlag = (key, extra) => ({
  key,
  version: 1,
  kind: 'boolean',
  variations: BOOL,
  on: true,
  offVariation: 0,
  fallthrough: { variation: 0 },
  ...extra,
});

export function snapshot() {
  return {
    flags: [
      boolFlag(FLAG_KEYS.S1, { fallthrough: { variation: 1 } }),
      boolFlag(FLAG_KEYS.S2, {
        rules: [
          {
            id: 'north-america',
            clauses: [{ attribute: 'country', op: 'in', values: S2_COUNTRIES }],
            serve: { variation: 1 },
          },
        ],
      }),
      boolFlag(FLAG_KEYS.S3, {
        fallthrough: {
          rollout: {
            variations: [
              { variation: 0, weight: 50_000 },
              { variation: 1, weight: 50_000 },
            ],
          },
        },
      }),
      boolFlag(FLAG_KEYS.S4, {
        rules: S4_RULES.map((rule, i) => ({ id: `rule-${i}`, clauses: rule.map(clause), serve: { variation: 1 } })),
      }),
    ],
    segments: [{ key: SEGMENT_KEY, version: 1, rules: [{ id: 'adult-paying', clauses: SEGMENT_CLAUSES.map(clause) }] }],
  };
}

function compile(input) {
  const compiled = createEvaluator(input);
  if (!compiled.ok) throw new Error(`vexil: snapshot rejected: ${JSON.stringify(compiled.issues)}`);
  return compiled.evaluator;
}

export async function setup(scenario, { compiled = false } = {}) {
  const evaluator = compile(snapshot());
  const key = FLAG_KEYS[scenario];
  if (compiled) {
    const flag = evaluator.flag(key);
    return { toContext, evaluate: (ctx) => flag.evaluate(ctx).value, close() {} };
  }
  return { toContext, evaluate: (ctx) => evaluator.evaluate(key, ctx).value, close() {} };
}

// Flags of one shape still differ the way real ones do: versions, rule ids and audiences vary,
// so that nothing in the figure depends on all 10,000 flags being the same flag.
const COUNTRIES = ['US', 'CA', 'MX', 'GB', 'DE', 'FR', 'JP', 'BR', 'IN', 'AU', 'ES', 'IT'];

/** count flags of S2's shape, as JSON text (what a snapshot arrives as). */
export function s2FlagsJson(count) {
  const flags = [];
  for (let i = 0; i < count; i++) {
    const pair = i === count - 1 ? S2_COUNTRIES : [COUNTRIES[i % 12], COUNTRIES[(i * 7 + 1) % 12]];
    flags.push({
      ...boolFlag(`flag-${i}`, {
        rules: [
          { id: `rule-${i % 7}`, clauses: [{ attribute: 'country', op: 'in', values: pair }], serve: { variation: 1 } },
        ],
      }),
      version: 1 + (i % 41),
    });
  }
  return JSON.stringify({ flags, segments: [] });
}

/** For the memory/load task: makeInput is not timed, load is (validation + compilation). */
export function loadTask(count) {
  const json = s2FlagsJson(count);
  return {
    what: 'createEvaluator(parsed snapshot): validate + compile',
    makeInput: () => JSON.parse(json),
    load: (input) => compile(input),
    check(evaluator) {
      const k = `flag-${count - 1}`;
      const a = evaluator.evaluate(k, { kind: 'user', key: 'u', country: 'CA' }).value;
      const b = evaluator.evaluate(k, { kind: 'user', key: 'u', country: 'FR' }).value;
      if (a !== true || b !== false) throw new Error(`vexil: loaded flag misbehaves (${a}, ${b})`);
    },
    close() {},
  };
}
