import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileError } from './errors.js';
import { type NormalizedSnapshot, normalizeSnapshot } from './snapshot.js';

export const CACHE_FORMAT = 'vexil-node-cache/1';

/** A one-way digest of the SDK key: a cache file written for another key (environment) is not used. */
export const keyDigest = (sdkKey: string) => createHash('sha256').update(sdkKey).digest('hex').slice(0, 16);

/** Reads a flags file (offline mode): `{flags, segments}`, arrays or objects by key. */
export function readFlagsFile(path: string): NormalizedSnapshot | FileError {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return new FileError(path, `cannot read the flags file ${path}: ${(err as Error).message}`, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return new FileError(path, `the flags file ${path} is not JSON: ${(err as Error).message}`, err);
  }
  const s = normalizeSnapshot(parsed);
  return typeof s === 'string' ? new FileError(path, `the flags file ${path}: ${s}`) : s;
}

/**
 * Reads the cache file at startup (synchronously, so that the very first variation calls are
 * served from it). A missing file is no error; a file for another SDK key is ignored.
 */
export function readCacheFile(
  path: string,
  sdkKey: string,
): { snapshot: NormalizedSnapshot; savedAt: Date } | FileError | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return new FileError(path, `cannot read the cache file ${path}: ${(err as Error).message}`, err);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    return new FileError(path, `the cache file ${path} is damaged (not JSON); ignored`, err);
  }
  if (parsed?.format !== CACHE_FORMAT)
    return new FileError(path, `the cache file ${path} has an unknown format; ignored`);
  if (parsed.keyDigest !== keyDigest(sdkKey))
    return new FileError(path, `the cache file ${path} was written for another SDK key; ignored`);
  const s = normalizeSnapshot(parsed);
  if (typeof s === 'string') return new FileError(path, `the cache file ${path}: ${s}; ignored`);
  const savedAt = new Date(typeof parsed.savedAt === 'string' ? parsed.savedAt : 0);
  return { snapshot: s, savedAt: Number.isNaN(savedAt.getTime()) ? new Date(0) : savedAt };
}

export type RawSnapshot = {
  environmentId: string | undefined;
  seq: number | undefined;
  flags: Record<string, unknown>;
  segments: Record<string, unknown>;
};

/**
 * Writes the cache file after changes: coalesced (one write per `delayMs` however many changes),
 * atomic (a temporary file renamed over the old one, so a crash never leaves half a file), and
 * never throwing (failures go to `onError`).
 */
export class CacheWriter {
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  readonly #digest: string;

  constructor(
    private readonly path: string,
    sdkKey: string,
    private readonly source: () => RawSnapshot | undefined,
    private readonly onError: (err: FileError) => void,
    private readonly delayMs = 200,
  ) {
    this.#digest = keyDigest(sdkKey);
  }

  schedule(): void {
    this.#dirty = true;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.#timer.unref();
  }

  /** Writes now if anything changed since the last write; resolves when written. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty) return this.#writing;
    this.#dirty = false;
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  async #write(): Promise<void> {
    const raw = this.source();
    if (!raw) return;
    const body = JSON.stringify({
      format: CACHE_FORMAT,
      savedAt: new Date().toISOString(),
      keyDigest: this.#digest,
      ...raw,
    });
    const tmp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      this.onError(
        new FileError(this.path, `cannot write the cache file ${this.path}: ${(err as Error).message}`, err),
      );
    }
  }
}
