/**
 * One Unleash strategy as ordered Vexil rules. A strategy passes when its constraints, the
 * constraints of every segment it names, and its own activation logic all hold; strategies are
 * OR'ed and the first that passes chooses the variant, which is what Vexil's first-match rules do.
 *
 * | strategy | clauses |
 * |---|---|
 * | `default` | none |
 * | `userWithId` | `userId in [userIds split at commas]` |
 * | `remoteAddress` | `remoteAddress inCidr [IPs]` (entries that are neither addresses nor ranges dropped, with a warning) |
 * | `gradualRolloutUserId` / `…SessionId` | `percentage` on userId / sessionId, `hash: "unleash"`, `seed` = groupId |
 * | `flexibleRollout` | `percentage` on the stickiness field, `seed` = groupId (else the feature name); `default` stickiness is one rule for userId and one for "no userId, sessionId" |
 * | `gradualRolloutRandom` | 0 %: never, 100 %: always; otherwise see deviations |
 * | `applicationHostname` | `hostname in [hostNames]`, case-insensitive: the context must carry the host name |
 * | segments | `segmentMatch` per segment id; an unknown id never matches |
 * | anything else | never matches, with a warning (Unleash clients without that custom strategy say false too) |
 *
 * A rollout of 100 % needs no percentage clause: Unleash's percentile is never above 100, and its
 * random fallback for contexts without an id is not either. 0 % never matches.
 *
 * Deviations: Unleash's random branches are not deterministic, Vexil is. A `flexibleRollout` with
 * `default` stickiness below 100 % does not match contexts that have neither userId nor sessionId
 * (Unleash enables that share of them at random on each call); `random` stickiness and
 * `gradualRolloutRandom` between 0 and 100 % become sticky rollouts like `default`, with a warning.
 */
import type { Clause } from '../model/clause.js';
import type { Rule } from '../model/flag.js';
import { parseCidr } from '../operators/cidr.js';
import { pointer } from '../schema/check.js';
import { MAX_ATTRIBUTE_LENGTH, unleashAttribute } from './attributes.js';
import { and, type Dnf, MAX_ALTERNATIVES, never, single, TRUE } from './conditions.js';
import { isObject } from './guards.js';
import { buildRules, fixedPlan, type GateCase, UNGATED, type VariantPlan } from './rules.js';
import { translateConstraint } from './translate-constraint.js';
import { planVariants } from './translate-variants.js';
import type { Warn } from './types.js';
import { ENABLED_NO_VARIANT, type VariationTable } from './variations.js';

export interface StrategyScope {
  featureName: string;
  /** Vexil segment key by Unleash segment id (as text). */
  segmentKeys: ReadonlyMap<string, string>;
  table: VariationTable;
  /** The feature-level variants, used when the strategy has none. */
  featurePlan: VariantPlan | undefined;
  warn: Warn;
}

interface Activation {
  dnf: Dnf;
  gates: GateCase[];
}

const ALWAYS: Activation = { dnf: TRUE, gates: [UNGATED] };
const NEVER: Activation = { dnf: single(never()), gates: [UNGATED] };

const splitList = (text: string | undefined): string[] => (text ? text.split(/\s*,\s*/) : []);

export function translateStrategy(input: unknown, index: number, path: string, scope: StrategyScope): Rule[] {
  const { warn } = scope;
  const id = `s${index}`;
  if (!isObject(input) || typeof input.name !== 'string') {
    warn(path, 'not a strategy with a name: translated as a rule that never matches');
    return buildRules(
      id,
      `Unleash strategy ${index}: invalid`,
      single(never()),
      [UNGATED],
      fixedPlan(ENABLED_NO_VARIANT),
    );
  }
  const name = input.name;
  const description = `Unleash strategy ${index} (${name})`;
  const params: Record<string, unknown> = isObject(input.parameters) ? input.parameters : {};
  const param = (key: string): string | undefined => {
    const v = params[key];
    return v === undefined || v === null ? undefined : String(v);
  };

  if (input.disabled === true) {
    return buildRules(id, `${description}: disabled`, single(never()), [UNGATED], fixedPlan(ENABLED_NO_VARIANT));
  }

  const constraintPath = pointer(path, 'constraints');
  let constraints: Dnf = TRUE;
  if (Array.isArray(input.constraints)) {
    constraints = and(
      ...input.constraints.map((c: unknown, i) => translateConstraint(c, pointer(constraintPath, i), warn)),
    );
  } else if (input.constraints !== undefined && input.constraints !== null) {
    warn(constraintPath, 'constraints is not a list: the strategy never matches');
    constraints = single(never());
  }

  const segmentClauses: Clause[] = [];
  if (Array.isArray(input.segments)) {
    input.segments.forEach((segmentId: unknown, i) => {
      const key = scope.segmentKeys.get(String(segmentId));
      if (key !== undefined) segmentClauses.push({ op: 'segmentMatch', values: [key] });
      else {
        warn(
          pointer(pointer(path, 'segments'), i),
          `segment ${JSON.stringify(segmentId)} does not exist: the strategy never matches, as in Unleash`,
        );
        segmentClauses.push(never());
      }
    });
  }

  const activation = activate(name, param, scope.featureName, path, warn);
  const branches = and(constraints, [segmentClauses], activation.dnf);
  if (branches.length > MAX_ALTERNATIVES) {
    warn(
      constraintPath,
      `the constraints expand to more than ${MAX_ALTERNATIVES} alternatives: the strategy never matches`,
    );
    return buildRules(id, `${description}: too complex`, single(never()), [UNGATED], fixedPlan(ENABLED_NO_VARIANT));
  }

  let plan: VariantPlan | undefined;
  if (Array.isArray(input.variants) && input.variants.length > 0) {
    let group = param('groupId');
    if (!group) {
      warn(path, 'strategy variants without a groupId: the feature name is used as their hash group');
      group = scope.featureName;
    }
    const first: unknown = input.variants[0];
    const stickiness =
      (isObject(first) && typeof first.stickiness === 'string' && first.stickiness) || param('stickiness') || 'default';
    plan = planVariants(input.variants, group, stickiness, scope.table, pointer(path, 'variants'), warn);
  }
  plan ??= scope.featurePlan ?? fixedPlan(ENABLED_NO_VARIANT);
  return buildRules(id, description, branches, activation.gates, plan);
}

/** Unleash's percentage parameter as a whole percentage (an integer percentile p ≤ x iff p ≤ floor(x)). */
function percent(raw: string | undefined, at: string, warn: Warn): number {
  const n = raw === undefined || raw.trim() === '' ? 0 : Number(raw);
  if (!Number.isFinite(n)) {
    warn(at, `percentage ${JSON.stringify(raw)} is not a number: treated as 0`);
    return 0;
  }
  return Math.min(100, Math.max(0, Math.floor(n)));
}

const percentage = (attribute: string, p: number, seed: string): Clause => ({
  attribute,
  op: 'percentage',
  values: [p],
  hash: 'unleash',
  seed,
});

/** Unleash's `default` rollout stickiness: userId, else sessionId (else random, see deviations). */
const defaultGates = (p: number, group: string): GateCase[] => [
  {
    label: 'by userId',
    presence: new Map([['userId', true]]),
    implied: new Set(['userId']),
    clauses: [percentage('userId', p, group)],
  },
  {
    label: 'no userId, by sessionId',
    presence: new Map([
      ['userId', false],
      ['sessionId', true],
    ]),
    implied: new Set(['sessionId']),
    clauses: [percentage('sessionId', p, group)],
  },
];

/** A rollout on one named field: false without it. */
const namedGate = (attribute: string, p: number, group: string): GateCase[] =>
  p >= 100
    ? [{ label: `${attribute} present`, presence: new Map([[attribute, true]]), implied: new Set(), clauses: [] }]
    : [
        {
          label: `by ${attribute}`,
          presence: new Map([[attribute, true]]),
          implied: new Set([attribute]),
          clauses: [percentage(attribute, p, group)],
        },
      ];

function activate(
  name: string,
  param: (key: string) => string | undefined,
  featureName: string,
  path: string,
  warn: Warn,
): Activation {
  const at = pointer(path, 'parameters');
  switch (name) {
    case 'default':
      return ALWAYS;

    case 'userWithId':
      return { dnf: single({ attribute: 'userId', op: 'in', values: splitList(param('userIds')) }), gates: [UNGATED] };

    case 'remoteAddress': {
      const ips: string[] = [];
      splitList(param('IPs')).forEach((ip) => {
        if (parseCidr(ip) !== undefined) ips.push(ip);
        else
          warn(
            pointer(at, 'IPs'),
            `"${ip}" is not an IP address or range: dropped (Unleash would only match it as exact text)`,
          );
      });
      return { dnf: single({ attribute: 'remoteAddress', op: 'inCidr', values: ips }), gates: [UNGATED] };
    }

    case 'applicationHostname': {
      warn(
        at,
        'applicationHostname matches the host the SDK runs on: pass it in the context as the property "hostname"',
      );
      const hosts = splitList(param('hostNames')?.toLowerCase());
      return {
        dnf: single({ attribute: 'hostname', op: 'in', values: hosts, caseInsensitive: true }),
        gates: [UNGATED],
      };
    }

    case 'gradualRolloutUserId':
    case 'gradualRolloutSessionId': {
      const p = percent(param('percentage'), pointer(at, 'percentage'), warn);
      if (p <= 0) return NEVER;
      const attribute = name === 'gradualRolloutUserId' ? 'userId' : 'sessionId';
      return { dnf: TRUE, gates: namedGate(attribute, p, param('groupId') ?? '') };
    }

    case 'gradualRolloutRandom': {
      const p = percent(param('percentage'), pointer(at, 'percentage'), warn);
      if (p <= 0) return NEVER;
      if (p >= 100) return ALWAYS;
      warn(
        at,
        `gradualRolloutRandom at ${p}% draws at random on every call in Unleash; translated as a sticky ${p}% rollout on userId, else sessionId (contexts with neither are not enabled)`,
      );
      return { dnf: TRUE, gates: defaultGates(p, param('groupId') || featureName) };
    }

    case 'flexibleRollout': {
      const p = percent(param('rollout'), pointer(at, 'rollout'), warn);
      if (p <= 0) return NEVER;
      const group = param('groupId') || featureName;
      const stickiness = param('stickiness') || 'default';
      if (stickiness === 'default' || stickiness === 'random') {
        if (p >= 100) return ALWAYS;
        if (stickiness === 'random') {
          warn(
            at,
            `random stickiness draws at random on every call in Unleash; translated as a sticky ${p}% rollout on userId, else sessionId (contexts with neither are not enabled)`,
          );
        }
        return { dnf: TRUE, gates: defaultGates(p, group) };
      }
      const attribute = unleashAttribute(stickiness);
      if (attribute.length > MAX_ATTRIBUTE_LENGTH) {
        warn(pointer(at, 'stickiness'), 'stickiness field name too long: the strategy never matches');
        return NEVER;
      }
      return { dnf: TRUE, gates: namedGate(attribute, p, group) };
    }

    default:
      warn(
        pointer(path, 'name'),
        `unknown strategy "${name}": translated as a rule that never matches (as in an Unleash client without it)`,
      );
      return NEVER;
  }
}
