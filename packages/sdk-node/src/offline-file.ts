import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readFlagsFile } from './cache-file.js';
import { FileError } from './errors.js';
import type { NormalizedSnapshot } from './snapshot.js';

type Seen = Map<string, { json: string; version: number }>;

/**
 * The flags file of offline mode. A file edited by hand keeps its version numbers, but listeners
 * learn of changes by version: between two reads, an item whose content changed while its version
 * did not grow is given the next version, so that the change is reported like any other.
 */
export class OfflineFile {
  #flags: Seen = new Map();
  #segments: Seen = new Map();
  #watcher: { close(): void } | undefined;

  constructor(readonly path: string) {}

  read(): NormalizedSnapshot | FileError {
    const s = readFlagsFile(this.path);
    if (s instanceof Error) return s;
    const flags = advance(s.flags, this.#flags);
    const segments = advance(s.segments, this.#segments);
    this.#flags = flags.seen;
    this.#segments = segments.seen;
    return { ...s, flags: flags.items, segments: segments.items };
  }

  /**
   * Calls `onChange` after the file was rewritten or replaced. The folder is watched, not the
   * file: editors and deploy tools replace a file by renaming a new one over it, which ends a
   * watch on the old file. A burst of events is one read.
   */
  watch(onChange: () => void, onError: (err: FileError) => void): void {
    let timer: NodeJS.Timeout | undefined;
    try {
      const watcher = watch(dirname(this.path), (_event, name) => {
        if (name !== null && name !== basename(this.path)) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, 50);
      });
      watcher.on('error', (err) => onError(new FileError(this.path, `watching ${this.path}: ${err.message}`, err)));
      this.#watcher = {
        close: () => {
          clearTimeout(timer);
          watcher.close();
        },
      };
    } catch (err) {
      onError(new FileError(this.path, `cannot watch ${this.path}: ${(err as Error).message}`, err));
    }
  }

  close(): void {
    this.#watcher?.close();
  }
}

function advance(items: unknown[], before: Seen): { items: unknown[]; seen: Seen } {
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
