// flagd's in-process evaluator (@openfeature/flagd-core), which flagd's in-process providers
// wrap: flags as flagd JSON, targeting as JSON Logic compiled by json-logic-engine.
// flagd has no regular-expression operator: S4's regex clauses are expressed with the exactly
// equivalent starts_with / ends_with (spec.mjs gives each regex its literal form).
import { FlagdCore } from '@openfeature/flagd-core';
import { FLAG_KEYS, S2_COUNTRIES, S3_PERCENT, S4_RULES, SEGMENT_CLAUSES } from '../spec.mjs';

export const name = 'flagd-core';
export const description = '@openfeature/flagd-core FlagdCore.resolveBooleanEvaluation(key, false, ctx, logger)';

const noop = () => {};
export const silentLogger = { debug: noop, info: noop, warn: noop, error: noop };

export const toContext = (p) => ({ targetingKey: p.key, country: p.country, plan: p.plan, age: p.age, email: p.email });

const v = (attribute) => ({ var: attribute });
const SEGMENT_REF = 'powerUsers';

function logic(c) {
  switch (c.op) {
    case 'in':
      return { in: [v(c.attribute), c.values] };
    case 'gt':
      return { '>': [v(c.attribute), c.value] };
    case 'gte':
      return { '>=': [v(c.attribute), c.value] };
    case 'startsWith':
      return anyOf(c.values.map((s) => ({ starts_with: [v(c.attribute), s] })));
    case 'regex': {
      const op = c.literal.op === 'startsWith' ? 'starts_with' : 'ends_with';
      return anyOf(c.literal.values.map((s) => ({ [op]: [v(c.attribute), s] })));
    }
    case 'segment':
      return { $ref: SEGMENT_REF };
    default:
      throw new Error(`flagd: no mapping for ${c.op}`);
  }
}

const anyOf = (list) => (list.length === 1 ? list[0] : { or: list });
const allOf = (list) => (list.length === 1 ? list[0] : { and: list });

const boolFlag = (defaultVariant, targeting) => ({
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant,
  ...(targeting ? { targeting } : {}),
});

export function config() {
  // S4: if / else-if chain, one branch per rule, each serving "on"; else "off".
  const chain = [];
  for (const rule of S4_RULES) chain.push(allOf(rule.map(logic)), 'on');
  chain.push('off');
  return {
    flags: {
      [FLAG_KEYS.S1]: boolFlag('on'),
      [FLAG_KEYS.S2]: boolFlag('off', { if: [{ in: [v('country'), S2_COUNTRIES] }, 'on', 'off'] }),
      [FLAG_KEYS.S3]: boolFlag('off', {
        fractional: [
          ['off', 100 - S3_PERCENT],
          ['on', S3_PERCENT],
        ],
      }),
      [FLAG_KEYS.S4]: boolFlag('off', { if: chain }),
    },
    $evaluators: { [SEGMENT_REF]: allOf(SEGMENT_CLAUSES.map(logic)) },
  };
}

function newCore(json) {
  const core = new FlagdCore(undefined, silentLogger);
  core.setConfigurations(json);
  return core;
}

export async function setup(scenario) {
  const core = newCore(JSON.stringify(config()));
  const key = FLAG_KEYS[scenario];
  const probe = core.resolveBooleanEvaluation(
    key,
    false,
    toContext({ key: 'u', country: 'US', plan: 'pro', age: 30, email: 'a@b' }),
    silentLogger,
  );
  if (probe.errorCode) throw new Error(`flagd: ${key} does not evaluate: ${JSON.stringify(probe)}`);
  return {
    toContext,
    evaluate: (ctx) => core.resolveBooleanEvaluation(key, false, ctx, silentLogger).value,
    close() {},
  };
}

export function loadTask(count) {
  const flags = {};
  for (let i = 0; i < count; i++)
    flags[`flag-${i}`] = boolFlag('off', { if: [{ in: [v('country'), ['US', 'CA']] }, 'on', 'off'] });
  const json = JSON.stringify({ flags });
  return {
    what: 'new FlagdCore().setConfigurations(json): parse + schema validation + JSON Logic compile',
    makeInput: () => json,
    load: (input) => newCore(input),
    check(core) {
      const k = `flag-${count - 1}`;
      const a = core.resolveBooleanEvaluation(k, false, { targetingKey: 'u', country: 'CA' }, silentLogger).value;
      const b = core.resolveBooleanEvaluation(k, false, { targetingKey: 'u', country: 'FR' }, silentLogger).value;
      if (a !== true || b !== false) throw new Error(`flagd: loaded flag misbehaves (${a}, ${b})`);
    },
    close() {},
  };
}
