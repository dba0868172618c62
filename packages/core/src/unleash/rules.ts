/**
 * Turning a strategy's conditions and its variant plan into ordered Vexil rules.
 *
 * Unleash picks a stickiness value by falling back along a chain ("default": userId, else
 * sessionId, else …). Vexil rollouts and percentage clauses bucket by one attribute, so each link
 * of a chain is a case guarded by `exists` clauses (`userId` absent and `sessionId` present, say).
 * A strategy's rollout gate and its variant selection may use different chains; their cases are
 * combined, and combinations that contradict each other (userId both present and absent) dropped.
 */
import type { Clause } from '../model/clause.js';
import type { Rule, Serve } from '../model/flag.js';
import type { Dnf } from './conditions.js';

/** Which attributes a case requires present (true) or absent (false). */
export type Presence = ReadonlyMap<string, boolean>;

/** One case of a rollout gate: extra clauses, valid when the presence requirements hold. */
export interface GateCase {
  label: string;
  presence: Presence;
  /** Attributes whose presence the clauses already imply (a percentage clause needs its attribute). */
  implied: ReadonlySet<string>;
  clauses: Clause[];
}

/** One case of variant selection. */
export interface ServeCase {
  label: string;
  presence: Presence;
  serve: Serve;
}

export interface Override {
  label: string;
  variation: number;
  attribute: string;
  values: string[];
}

/** How an enabled strategy picks its outcome: overrides first, then the first case that applies. */
export interface VariantPlan {
  overrides: Override[];
  cases: ServeCase[];
}

export const EMPTY_PRESENCE: Presence = new Map();
export const UNGATED: GateCase = { label: '', presence: EMPTY_PRESENCE, implied: new Set(), clauses: [] };

export const fixedPlan = (variation: number): VariantPlan => ({
  overrides: [],
  cases: [{ label: '', presence: EMPTY_PRESENCE, serve: { variation } }],
});

function merge(a: Presence, b: Presence): Presence | undefined {
  if (b.size === 0) return a;
  const out = new Map(a);
  for (const [attribute, present] of b) {
    const seen = out.get(attribute);
    if (seen !== undefined && seen !== present) return undefined;
    out.set(attribute, present);
  }
  return out;
}

function presenceClauses(presence: Presence, implied: ReadonlySet<string>): Clause[] {
  const out: Clause[] = [];
  for (const [attribute, present] of presence) {
    if (present && implied.has(attribute)) continue;
    out.push(present ? { attribute, op: 'exists', values: [] } : { attribute, op: 'exists', values: [], negate: true });
  }
  return out;
}

const MAX_DESCRIPTION = 1024;
const describe = (parts: string[]) => {
  const text = parts.filter((p) => p !== '').join('; ');
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
};

/**
 * The rules of one strategy: for each alternative of its conditions and each gate case, the
 * override rules and then one rule per compatible variant case. All serve what the strategy
 * serves, so their order only matters between overrides and the hash, which it keeps.
 */
export function buildRules(
  id: string,
  description: string,
  branches: Dnf,
  gates: GateCase[],
  plan: VariantPlan,
): Rule[] {
  const rules: Rule[] = [];
  branches.forEach((branch, bi) => {
    for (const [gi, gate] of gates.entries()) {
      const ruleId = `${id}${branches.length > 1 ? `.b${bi}` : ''}${gates.length > 1 ? `.g${gi}` : ''}`;
      const alternative = branches.length > 1 ? `alternative ${bi + 1} of ${branches.length}` : '';
      const gated = [...branch, ...presenceClauses(gate.presence, gate.implied), ...gate.clauses];
      plan.overrides.forEach((o, oi) => {
        rules.push({
          id: `${ruleId}.o${oi}`,
          description: describe([description, alternative, gate.label, `override: ${o.label}`]),
          clauses: [...gated, { attribute: o.attribute, op: 'in', values: o.values }],
          serve: { variation: o.variation },
        });
      });
      plan.cases.forEach((c, ci) => {
        const presence = merge(gate.presence, c.presence);
        if (presence === undefined) return;
        rules.push({
          id: plan.cases.length > 1 ? `${ruleId}.v${ci}` : ruleId,
          description: describe([description, alternative, gate.label, c.label]),
          clauses: [...branch, ...presenceClauses(presence, gate.implied), ...gate.clauses],
          serve: c.serve,
        });
      });
    }
  });
  return rules;
}
