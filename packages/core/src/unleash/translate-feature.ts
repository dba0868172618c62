/**
 * One Unleash feature as a Vexil flag of kind `json` (variations: see variations.ts).
 *
 * - `enabled: false` → `on: false`; the off variation is 0, "not enabled".
 * - Strategies → ordered rules (translate-strategy.ts); nothing matched → fallthrough 0.
 * - No strategies at all → enabled for everyone: the feature variants (or "enabled, no
 *   variant") are served without conditions, the last stickiness case being the fallthrough.
 * - A strategy without usable variants of its own serves the feature variants, hashed with
 *   the feature name as group.
 * - `dependencies` become prerequisites afterwards (translate-dependencies.ts).
 */
import type { Flag, Rule, Serve } from '../model/flag.js';
import { pointer } from '../schema/check.js';
import { TRUE } from './conditions.js';
import { isObject } from './guards.js';
import { buildRules, fixedPlan, UNGATED } from './rules.js';
import { translateStrategy } from './translate-strategy.js';
import { planVariants } from './translate-variants.js';
import type { Warn } from './types.js';
import { ENABLED_NO_VARIANT, NOT_ENABLED, VariationTable } from './variations.js';

export interface TranslatedFeature {
  flag: Flag;
  table: VariationTable;
  /** The feature's Unleash dependencies, as given. */
  dependencies: unknown[];
  path: string;
}

const KEY = /^[^\s/]+$/;
export const isFlagKey = (key: string) => key.length >= 1 && key.length <= 256 && KEY.test(key);

/** Flag version of every translated flag: Unleash sends no per-feature version. */
export const TRANSLATED_VERSION = 1;

export function translateFeature(
  input: unknown,
  path: string,
  segmentKeys: ReadonlyMap<string, string>,
  warn: Warn,
): TranslatedFeature | undefined {
  if (!isObject(input) || typeof input.name !== 'string') {
    warn(path, 'not a feature with a name: skipped');
    return undefined;
  }
  const name = input.name;
  if (!isFlagKey(name)) {
    warn(
      pointer(path, 'name'),
      `"${name}" cannot be a Vexil flag key (1 to 256 characters, no whitespace or "/"): skipped`,
    );
    return undefined;
  }

  const table = new VariationTable();
  const first: unknown = Array.isArray(input.variants) ? input.variants[0] : undefined;
  const stickiness = (isObject(first) && typeof first.stickiness === 'string' && first.stickiness) || 'default';
  const featurePlan = planVariants(input.variants, name, stickiness, table, pointer(path, 'variants'), warn);

  if (Array.isArray(input.segments) && input.segments.length > 0) {
    warn(pointer(path, 'segments'), 'feature-level segments are ignored: Unleash clients apply segments per strategy');
  }

  let rules: Rule[] = [];
  let fallthrough: Serve = { variation: NOT_ENABLED };
  const strategiesPath = pointer(path, 'strategies');
  if (!Array.isArray(input.strategies)) {
    warn(strategiesPath, 'no strategies list: never enabled, as in Unleash clients');
  } else if (input.strategies.length === 0) {
    const plan = featurePlan ?? fixedPlan(ENABLED_NO_VARIANT);
    rules = buildRules('variants', 'Unleash feature without strategies', TRUE, [UNGATED], plan);
    // The last stickiness case applies exactly when no earlier rule does.
    const last = rules.pop();
    fallthrough = last?.serve ?? { variation: ENABLED_NO_VARIANT };
  } else {
    const scope = { featureName: name, segmentKeys, table, featurePlan, warn };
    rules = input.strategies.flatMap((s: unknown, i) => translateStrategy(s, i, pointer(strategiesPath, i), scope));
  }

  const flag: Flag = {
    key: name,
    version: TRANSLATED_VERSION,
    kind: 'json',
    variations: table.variations,
    on: input.enabled === true,
    offVariation: NOT_ENABLED,
    fallthrough,
    rules,
  };
  const dependencies = Array.isArray(input.dependencies) ? input.dependencies : [];
  if (input.dependencies !== undefined && input.dependencies !== null && !Array.isArray(input.dependencies)) {
    warn(pointer(path, 'dependencies'), 'dependencies is not a list: ignored');
  }
  return { flag, table, dependencies, path };
}
