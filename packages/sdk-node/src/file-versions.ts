import type { NormalizedSnapshot } from './snapshot.js';

type Seen = Map<string, { json: string; version: number }>;

/**
 * A flags file edited by hand keeps its version numbers, but listeners learn of changes by
 * version. Between two reads of the file, an item whose content changed while its version did
 * not grow is given the next version, so that the change is reported like any other.
 */
export class FileVersions {
  #flags: Seen = new Map();
  #segments: Seen = new Map();

  /** The snapshot with versions advanced where content changed; remembers it for the next read. */
  advance(s: NormalizedSnapshot): NormalizedSnapshot {
    const flags = bump(s.flags, this.#flags);
    const segments = bump(s.segments, this.#segments);
    this.#flags = flags.seen;
    this.#segments = segments.seen;
    return { ...s, flags: flags.items, segments: segments.items };
  }
}

function bump(items: unknown[], before: Seen): { items: unknown[]; seen: Seen } {
  const seen: Seen = new Map();
  const out = items.map((item) => {
    if (typeof item !== 'object' || item === null || typeof (item as { key?: unknown }).key !== 'string') return item;
    const { version, ...content } = item as { key: string; version?: unknown };
    const json = JSON.stringify(content);
    let v = typeof version === 'number' ? version : 0;
    const prev = before.get(content.key);
    if (prev && prev.json !== json && v <= prev.version) v = prev.version + 1;
    seen.set(content.key, { json, version: v });
    return v === version ? item : { ...item, version: v };
  });
  return { items: out, seen };
}
