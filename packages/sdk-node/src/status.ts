import type { VexilError } from './errors.js';

/**
 * How degraded the SDK is:
 * - 0: streaming: changes arrive within a second;
 * - 1: polling: changes arrive within the poll interval (polling mode, or the stream keeps failing);
 * - 2: last known flags only: the server is unreachable (or the key was refused), or offline mode
 *   serves a file; values are whatever was last received, from this process or the cache file;
 * - 3: no flags at all: every variation call returns its default.
 */
export type DegradationLevel = 0 | 1 | 2 | 3;

/** What the data source is doing. */
export type DataSourceState =
  /** Connecting for the first time. */
  | 'initializing'
  /** The stream is connected. */
  | 'streaming'
  /** The last poll succeeded (polling mode, or the fallback while the stream is down). */
  | 'polling'
  /** Neither stream nor polling is getting through; retrying. */
  | 'interrupted'
  /** Offline mode: no network by configuration. */
  | 'offline'
  /** Stopped for good: the key was refused (401/403) or the options cannot work. */
  | 'failed'
  /** `close()` was called. */
  | 'closed';

/** Where the flags being served came from. */
export type FlagSource = 'network' | 'cache' | 'file' | 'none';

export interface SdkStatus {
  readonly level: DegradationLevel;
  readonly state: DataSourceState;
  readonly flagSource: FlagSource;
  /** Number of flags being served. */
  readonly flagCount: number;
  /** When `level` or `state` last changed. */
  readonly since: Date;
  /** When flag data last arrived (or was confirmed unchanged by a poll). */
  readonly lastDataAt: Date | undefined;
  /** The most recent problem (kept after recovery, for diagnosis). */
  readonly lastError: VexilError | undefined;
}

export function levelOf(state: DataSourceState, hasFlags: boolean): DegradationLevel {
  if (!hasFlags) return 3;
  if (state === 'streaming') return 0;
  if (state === 'polling') return 1;
  return 2;
}

/** Keeps the status and tells the client when it changed (level or state). */
export class StatusTracker {
  #state: DataSourceState = 'initializing';
  #since = new Date();
  #lastDataAt: Date | undefined;
  #lastError: VexilError | undefined;
  #level: DegradationLevel = 3;

  constructor(
    private readonly facts: () => { hasFlags: boolean; flagCount: number; flagSource: FlagSource },
    private readonly onChange: (status: SdkStatus, previous: SdkStatus) => void,
  ) {}

  get state(): DataSourceState {
    return this.#state;
  }

  get level(): DegradationLevel {
    return this.#level;
  }

  status(): SdkStatus {
    const f = this.facts();
    return {
      level: this.#level,
      state: this.#state,
      flagSource: f.flagSource,
      flagCount: f.flagCount,
      since: this.#since,
      lastDataAt: this.#lastDataAt,
      lastError: this.#lastError,
    };
  }

  /** Records data arrival and re-derives the level (the first flags lift level 3). */
  dataReceived(): void {
    this.#lastDataAt = new Date();
    this.#update(this.#state);
  }

  error(err: VexilError): void {
    this.#lastError = err;
  }

  setState(state: DataSourceState, err?: VexilError): void {
    if (err) this.#lastError = err;
    if (this.#state === 'closed') return;
    this.#update(state);
  }

  /** Re-derives the level from the current facts (after flags were loaded from a file or cache). */
  refresh(): void {
    this.#update(this.#state);
  }

  #update(state: DataSourceState): void {
    const previous = this.status();
    const level = levelOf(state, this.facts().hasFlags);
    if (state === this.#state && level === this.#level) return;
    this.#state = state;
    this.#level = level;
    this.#since = new Date();
    this.onChange(this.status(), previous);
  }
}
