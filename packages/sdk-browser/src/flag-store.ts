import type { FlagState, FlagValues } from './types.js';

const same = (a: FlagState | undefined, b: FlagState | undefined) =>
  a === b || (!!a && !!b && JSON.stringify(a) === JSON.stringify(b));

/**
 * The values served for the current context. Replacing them (a `put`, a fetch, a cache hit) or
 * merging a `patch` reports the keys whose state changed; an unchanged flag keeps its object,
 * so that snapshots taken by UI bindings stay identical.
 */
export class FlagStore {
  flags: Record<string, FlagState> = {};

  /** Replaces every value; returns the keys that changed (added, removed or different). */
  replace(values: FlagValues): string[] {
    const next: Record<string, FlagState | null> = {};
    for (const k of Object.keys(this.flags)) next[k] = null;
    Object.assign(next, values.flags);
    return this.patch(next);
  }

  /** Merges a patch (`null` drops a flag); returns the keys that changed. */
  patch(flags: Record<string, FlagState | null>): string[] {
    const changed: string[] = [];
    const out = { ...this.flags };
    for (const [k, v] of Object.entries(flags)) {
      if (same(out[k], v ?? undefined)) continue;
      if (v) out[k] = v;
      else delete out[k];
      changed.push(k);
    }
    this.flags = out;
    return changed;
  }
}
