/**
 * Unleash feature dependencies as Vexil prerequisites.
 *
 * Unleash: a child is enabled only if its own strategies pass and every dependency is satisfied:
 * the parent exists, has no dependencies of its own (one level only), its enabled state for the
 * same context equals `enabled` (default true), and, if `variants` is non-empty, its variant name
 * (`"disabled"` when enabled without variant) is in the list.
 *
 * Vexil: a prerequisite `{key, variation: v}` holds when the parent is on and serves v; call that
 * P(v). A failed prerequisite makes a flag serve its off variation. That is enough to express any
 * dependency exactly, and live (following later changes to the parent, `on` included):
 *
 * - "parent enabled with one of the variations S" is P(v1) or P(v2) or …, where S are the
 *   variations the parent serves when on (its rules and fallthrough) other than 0, restricted to
 *   the listed variant names if any.
 *   - one variation: a plain prerequisite `{key: parent, variation: v}`;
 *   - several: helper flags `<parent>:not-serving-<v>` (boolean, prerequisite P(v), off
 *     variation true, fallthrough false: "not P(v)") and one `<parent>:serving-<v1>-<v2>…` (or
 *     `<parent>:enabled` when S is every enabled variation) whose prerequisites are all the
 *     "not P(v)" helpers, with off variation true and fallthrough false: "P(v1) or P(v2) or …".
 *     The child's prerequisite is that helper serving true.
 * - "parent disabled" (`enabled: false`) is not P(v) for every enabled variation v: the child's
 *   prerequisites are the `<parent>:not-serving-<v>` helpers serving true (none if the parent has
 *   no enabled variation at all).
 * - a missing parent, a parent with dependencies of its own, or a variant list that names none of
 *   the parent's variants can never be satisfied: a helper `<child>:dependency-<i>` that always
 *   serves false, with a warning. The child then always fails that prerequisite.
 *
 * Helpers are shared between children and evaluated in the same context, as Unleash evaluates
 * the parent with the child's context.
 */
import type { Flag, Prerequisite, Serve } from '../model/flag.js';
import { pointer } from '../schema/check.js';
import { isObject } from './guards.js';
import { isFlagKey, TRANSLATED_VERSION, type TranslatedFeature } from './translate-feature.js';
import type { Warn } from './types.js';
import { NOT_ENABLED } from './variations.js';

const FALSE = 0;
const TRUE = 1;

/** The variations a flag serves when on, in index order. */
function servedWhenOn(flag: Flag): number[] {
  const out = new Set<number>();
  const add = (serve: Serve) => {
    if (serve.variation !== undefined) out.add(serve.variation);
    for (const w of serve.rollout?.variations ?? []) out.add(w.variation);
  };
  for (const rule of flag.rules ?? []) add(rule.serve);
  add(flag.fallthrough);
  return [...out].sort((a, b) => a - b);
}

function booleanFlag(key: string, meaning: string, prerequisites: Prerequisite[], offVariation: number): Flag {
  const flag: Flag = {
    key,
    version: TRANSLATED_VERSION,
    kind: 'boolean',
    variations: [
      { value: false, name: 'false' },
      { value: true, name: 'true', description: meaning.slice(0, 1024) },
    ],
    on: true,
    offVariation,
    fallthrough: { variation: FALSE },
  };
  if (prerequisites.length > 0) flag.prerequisites = prerequisites;
  return flag;
}

/**
 * Sets the prerequisites of every feature with dependencies and returns the helper flags, each
 * listed once, after the first child that needs it. `usedKeys` holds every flag key taken so far.
 */
export function translateDependencies(
  features: ReadonlyMap<string, TranslatedFeature>,
  usedKeys: Set<string>,
  warn: Warn,
): Map<string, Flag[]> {
  const helpersByChild = new Map<string, Flag[]>();
  const shared = new Map<string, Flag>();
  const claim = (wanted: string) => {
    let key = wanted;
    for (let n = 1; !isFlagKey(key) || usedKeys.has(key); n++) key = `unleash-dependency-${n}`;
    usedKeys.add(key);
    return key;
  };

  for (const child of features.values()) {
    if (child.dependencies.length === 0) continue;
    const prerequisites: Prerequisite[] = [];
    const own: Flag[] = [];
    /** A helper shared by every child, created on first use. */
    const helper = (id: string, make: (key: string) => Flag): string => {
      let flag = shared.get(id);
      if (flag === undefined) {
        flag = make(claim(id));
        shared.set(id, flag);
        own.push(flag);
      }
      return flag.key;
    };
    const notServing = (parent: string, v: number, name: string) =>
      helper(`${parent}:not-serving-${v}`, (key) =>
        booleanFlag(
          key,
          `"${parent}" is off or does not serve variation ${v} (${name})`,
          [{ key: parent, variation: v }],
          TRUE,
        ),
      );

    child.dependencies.forEach((dep: unknown, i) => {
      const at = pointer(pointer(child.path, 'dependencies'), i);
      const never = (why: string) => {
        warn(at, `${why}: the dependency is never satisfied, so "${child.flag.key}" is never enabled`);
        const key = claim(`${child.flag.key}:dependency-${i}`);
        own.push(booleanFlag(key, why, [], FALSE));
        prerequisites.push({ key, variation: TRUE });
      };
      if (!isObject(dep) || typeof dep.feature !== 'string') {
        never('a dependency without a feature name');
        return;
      }
      const name = dep.feature;
      const parent = features.get(name);
      if (parent === undefined) {
        never(`parent "${name}" does not exist`);
        return;
      }
      if (parent.dependencies.length > 0) {
        never(`parent "${name}" has dependencies of its own (Unleash allows one level)`);
        return;
      }

      const nameOf = (v: number) => parent.table.nameOf(v) ?? String(v);
      const enabledVariations = servedWhenOn(parent.flag).filter((v) => v !== NOT_ENABLED);

      if (dep.enabled === false) {
        for (const v of enabledVariations) prerequisites.push({ key: notServing(name, v, nameOf(v)), variation: TRUE });
        return;
      }
      const names = Array.isArray(dep.variants) ? dep.variants.filter((v): v is string => typeof v === 'string') : [];
      const wanted =
        names.length === 0 ? enabledVariations : enabledVariations.filter((v) => names.includes(nameOf(v)));
      const only = wanted[0];
      if (only === undefined) {
        never(
          names.length === 0
            ? `parent "${name}" serves no enabled variation`
            : `parent "${name}" has none of the variants ${names.map((n) => `"${n}"`).join(', ')}`,
        );
        return;
      }
      if (wanted.length === 1) {
        prerequisites.push({ key: name, variation: only });
        return;
      }
      const all = wanted.length === enabledVariations.length;
      const anyOf = helper(`${name}:${all ? 'enabled' : `serving-${wanted.join('-')}`}`, (key) =>
        booleanFlag(
          key,
          `"${name}" is on and serves ${wanted.map((v) => `${v} (${nameOf(v)})`).join(' or ')}`,
          wanted.map((v) => ({ key: notServing(name, v, nameOf(v)), variation: TRUE })),
          TRUE,
        ),
      );
      prerequisites.push({ key: anyOf, variation: TRUE });
    });

    if (prerequisites.length > 0) child.flag.prerequisites = prerequisites;
    helpersByChild.set(child.flag.key, own);
  }
  return helpersByChild;
}
