import type { FlagValues } from './types.js';

/** How many contexts' values are kept per client-side ID; the least recently saved go first. */
const MAX_CONTEXTS = 5;

/**
 * Values kept in `localStorage` per client-side ID (one environment) and context, so that the
 * next page load serves them at once and a page offline still has them. Storage failures (quota,
 * private mode, disabled storage) are ignored: the cache is an optimisation.
 */
export class FlagCache {
  constructor(
    private readonly storage: Storage | null,
    private readonly prefix: string,
  ) {}

  read(hash: string): FlagValues | undefined {
    try {
      const raw = this.storage?.getItem(`${this.prefix}:${hash}`);
      const v = raw ? (JSON.parse(raw) as FlagValues) : undefined;
      return v && typeof v.flags === 'object' && v.flags ? v : undefined;
    } catch {
      return undefined;
    }
  }

  write(hash: string, values: FlagValues): void {
    const s = this.storage;
    if (!s) return;
    try {
      const indexKey = `${this.prefix}:index`;
      const index = (JSON.parse(s.getItem(indexKey) ?? '[]') as string[]).filter((h) => h !== hash);
      index.push(hash);
      while (index.length > MAX_CONTEXTS) s.removeItem(`${this.prefix}:${index.shift()}`);
      s.setItem(`${this.prefix}:${hash}`, JSON.stringify(values));
      s.setItem(indexKey, JSON.stringify(index));
    } catch {
      // Quota or disabled storage: serve from memory only.
    }
  }
}
