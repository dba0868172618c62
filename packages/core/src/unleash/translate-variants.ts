/**
 * An Unleash variant list as a Vexil variant plan.
 *
 * - Overrides come first, in Unleash's order: the first variant with an override whose
 *   `contextName` value is listed wins. Each override is a rule with an `in` clause.
 * - Then a rollout with `hash: "unleash"`, `seed` = the group (the feature name for feature
 *   variants, the strategy's groupId for strategy variants) and Unleash's weights, which Vexil's
 *   `unleash` mode walks exactly as Unleash does (target = murmur3(group:value, 86028157) mod total + 1).
 * - Stickiness is the first variant's `stickiness` (as Unleash clients read it), for strategy
 *   variants falling back to the strategy's `stickiness`, then `default`. `default` means
 *   userId, else sessionId, else remoteAddress: one case per link, guarded by `exists` clauses.
 * - Weight-0 variants are left out of the rollout (they can still be served by an override).
 *   A list whose weights add up to 0 gives no plan: Unleash then selects no variant.
 *
 * Deviation: where Unleash falls back to a random value (no stickiness field at all, or
 * stickiness `random`), Vexil is deterministic: a context without the field gets the first
 * variant with weight, and `random` is bucketed like `default`. Exact whenever one variant
 * carries all the weight.
 */
import { pointer } from '../schema/check.js';
import { MAX_ATTRIBUTE_LENGTH, unleashAttribute } from './attributes.js';
import { isObject } from './guards.js';
import { EMPTY_PRESENCE, type Override, type Presence, type ServeCase, type VariantPlan } from './rules.js';
import type { Warn } from './types.js';
import type { VariationTable } from './variations.js';

/** Unleash's `default` stickiness for variants. */
export const DEFAULT_VARIANT_CHAIN = ['userId', 'sessionId', 'remoteAddress'] as const;

export function planVariants(
  variants: unknown,
  group: string,
  stickiness: string,
  table: VariationTable,
  path: string,
  warn: Warn,
): VariantPlan | undefined {
  if (!Array.isArray(variants) || variants.length === 0) return undefined;
  const overrides: Override[] = [];
  const entries: { variation: number; weight: number }[] = [];
  variants.forEach((v: unknown, i) => {
    const at = pointer(path, i);
    if (!isObject(v) || typeof v.name !== 'string') {
      warn(at, 'not a variant with a name: ignored');
      return;
    }
    const variation = table.variant(v.name, v.payload);
    let weight = typeof v.weight === 'number' ? v.weight : Number(v.weight);
    if (!Number.isFinite(weight) || weight < 0) {
      warn(
        pointer(at, 'weight'),
        `weight ${JSON.stringify(v.weight ?? null)} is not a non-negative number: treated as 0`,
      );
      weight = 0;
    } else if (!Number.isInteger(weight)) {
      warn(pointer(at, 'weight'), `weight ${weight} is not an integer: rounded down`);
      weight = Math.floor(weight);
    }
    if (weight > 0) entries.push({ variation, weight });
    if (Array.isArray(v.overrides)) {
      v.overrides.forEach((o: unknown, j) => {
        const oat = pointer(pointer(at, 'overrides'), j);
        if (!isObject(o) || typeof o.contextName !== 'string' || !Array.isArray(o.values)) {
          warn(oat, 'not an override with contextName and values: ignored');
          return;
        }
        const attribute = unleashAttribute(o.contextName);
        const values = o.values.filter((x): x is string => typeof x === 'string');
        if (attribute.length > MAX_ATTRIBUTE_LENGTH) {
          warn(oat, 'context field name too long: override ignored');
          return;
        }
        if (values.length === 0) return;
        overrides.push({ label: `variant "${v.name}" for ${o.contextName} in list`, variation, attribute, values });
      });
    }
  });

  const total = entries.reduce((sum, e) => sum + e.weight, 0);
  if (total <= 0) return undefined;

  if (new Set(entries.map((e) => e.variation)).size === 1) {
    const only = entries[0]?.variation ?? 0;
    return { overrides, cases: [{ label: '', presence: EMPTY_PRESENCE, serve: { variation: only } }] };
  }

  let chain: readonly string[] = DEFAULT_VARIANT_CHAIN;
  if (stickiness === 'random') {
    warn(
      path,
      'random stickiness picks a variant at random on every call in Unleash; translated as sticky like "default"',
    );
  } else if (stickiness !== 'default') {
    const attribute = unleashAttribute(stickiness);
    if (attribute.length > MAX_ATTRIBUTE_LENGTH) warn(path, `stickiness field name too long: "default" used instead`);
    else chain = [attribute];
  }

  const cases: ServeCase[] = chain.map((attribute, i) => {
    const presence = new Map<string, boolean>();
    for (const earlier of chain.slice(0, i)) presence.set(earlier, false);
    // The last link needs no presence check: a context without it gets the first variant.
    if (i < chain.length - 1) presence.set(attribute, true);
    const label =
      chain.length === 1
        ? `variant by ${attribute}`
        : `variant by ${attribute}${i > 0 ? ` (no ${chain.slice(0, i).join(', no ')})` : ''}`;
    return {
      label,
      presence: presence as Presence,
      serve: {
        rollout: { variations: entries.map((e) => ({ ...e })), bucketBy: attribute, seed: group, hash: 'unleash' },
      },
    };
  });
  return { overrides, cases };
}
