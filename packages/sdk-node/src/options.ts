import type { CodegenMode } from '@vexil/core';
import type { EvaluationHook } from './hooks.js';
import type { SnapshotInput } from './snapshot.js';

export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** How flags reach the SDK. */
export type DeliveryMode = 'streaming' | 'polling' | 'offline';

export interface VexilOptions {
  /** A Vexil stream node (role `stream` or `all`); default `http://127.0.0.1:4180`. */
  baseUrl?: string;
  /** Where events go (`POST /events/v1/bulk`); default `baseUrl`. */
  eventsUrl?: string;
  /**
   * `streaming` (default): server-sent events, falling back to polling after repeated stream
   * failures and back to streaming when it recovers. `polling`: only `GET /sdk/v1/flags`.
   * `offline`: no network at all; flags from `offlineFile` or `offlineData` (else every call
   * returns its default).
   */
  mode?: DeliveryMode;
  /** Offline mode: a JSON file `{flags, segments}` (arrays, or objects by key as the server sends them). */
  offlineFile?: string;
  /** Offline mode: the flags themselves, in the same shape as `offlineFile`. */
  offlineData?: SnapshotInput;
  /**
   * Offline mode: read `offlineFile` again whenever it changes (default false), and report the
   * changed flags to listeners like any update. A file that cannot be read or is not valid is
   * reported and the flags stay as they were.
   */
  watchOfflineFile?: boolean;
  /**
   * A file that keeps the last flags received, written after every change: a process that
   * starts while the server is unreachable serves them (degradation level 2) until it connects.
   */
  cacheFile?: string;
  /** Polling mode, and the polling fallback: time between requests (default 30 s). */
  pollIntervalMs?: number;
  /** Stream reconnection: first delay (default 1 s), doubled per failure up to the maximum, with jitter. */
  streamInitialRetryDelayMs?: number;
  /** Upper bound of the reconnection delay (default 30 s). */
  streamMaxRetryDelayMs?: number;
  /** A stream that delivers nothing, not even a heartbeat, for this long is reconnected (default 45 s: three missed 15 s heartbeats). */
  streamReadTimeoutMs?: number;
  /** Consecutive stream failures after which the SDK polls until the stream recovers (default 3). */
  streamFailuresBeforePolling?: number;
  /** A connection that stayed up this long resets the reconnection delay (default 60 s). */
  streamBackoffResetMs?: number;
  /** Time allowed for response headers of any request (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * Analytics events (summaries, exposures, custom events) to `eventsUrl`; default true, except
   * in offline mode, where they can still be turned on (flags from a file, analytics sent).
   */
  sendEvents?: boolean;
  /** Events are sent at least this often (default 5 s)… */
  eventsFlushIntervalMs?: number;
  /** …and as soon as this many are queued (default 500); also the largest batch per request. */
  eventsFlushSize?: number;
  /** At most this many events are held while the server is unreachable; the oldest are dropped (default 10 000). */
  eventsCapacity?: number;
  /** Evaluation hooks, run around every variation call (tracing, metrics). */
  hooks?: readonly EvaluationHook[];
  /** Default: warnings and errors to the console. */
  logger?: Logger;
  /** Code generation for hot flags, passed to @vexil/core (default `auto`). */
  codegen?: CodegenMode;
}

export interface ResolvedOptions {
  baseUrl: string;
  eventsUrl: string;
  mode: DeliveryMode;
  offlineFile: string | undefined;
  watchOfflineFile: boolean;
  offlineData: SnapshotInput | undefined;
  cacheFile: string | undefined;
  pollIntervalMs: number;
  streamInitialRetryDelayMs: number;
  streamMaxRetryDelayMs: number;
  streamReadTimeoutMs: number;
  streamFailuresBeforePolling: number;
  streamBackoffResetMs: number;
  requestTimeoutMs: number;
  sendEvents: boolean;
  eventsFlushIntervalMs: number;
  eventsFlushSize: number;
  eventsCapacity: number;
  hooks: readonly EvaluationHook[];
  logger: Logger;
  codegen: CodegenMode;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:4180';

export const consoleLogger = (): Logger => ({
  debug() {},
  info() {},
  warn: (message, ...args) => console.warn(`[vexil] ${message}`, ...args),
  error: (message, ...args) => console.error(`[vexil] ${message}`, ...args),
});

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const positive = (problems: string[], name: string, value: number | undefined, fallback: number, min = 1): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    problems.push(`${name} must be a number >= ${min}; using ${fallback}`);
    return fallback;
  }
  return value;
};

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Options with defaults applied. Problems never throw: a bad number falls back to its default
 * (a warning), a bad URL or mode is a configuration error reported by the client.
 */
export function resolveOptions(input: VexilOptions = {}): {
  options: ResolvedOptions;
  warnings: string[];
  errors: string[];
} {
  const warnings: string[] = [];
  const errors: string[] = [];
  const mode = input.mode ?? 'streaming';
  if (mode !== 'streaming' && mode !== 'polling' && mode !== 'offline') errors.push(`unknown mode "${String(mode)}"`);
  const baseUrl = trimSlash(input.baseUrl ?? DEFAULT_BASE_URL);
  const eventsUrl = trimSlash(input.eventsUrl ?? baseUrl);
  for (const [name, url] of [
    ['baseUrl', baseUrl],
    ['eventsUrl', eventsUrl],
  ] as const) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`${name} must be an http(s) URL`);
    } catch {
      errors.push(`${name} is not a URL: ${url}`);
    }
  }
  const options: ResolvedOptions = {
    baseUrl,
    eventsUrl,
    mode,
    offlineFile: input.offlineFile,
    watchOfflineFile: input.watchOfflineFile === true,
    offlineData: input.offlineData,
    cacheFile: input.cacheFile,
    pollIntervalMs: positive(warnings, 'pollIntervalMs', input.pollIntervalMs, 30_000, 10),
    streamInitialRetryDelayMs: positive(warnings, 'streamInitialRetryDelayMs', input.streamInitialRetryDelayMs, 1000),
    streamMaxRetryDelayMs: positive(warnings, 'streamMaxRetryDelayMs', input.streamMaxRetryDelayMs, 30_000),
    streamReadTimeoutMs: positive(warnings, 'streamReadTimeoutMs', input.streamReadTimeoutMs, 45_000, 10),
    streamFailuresBeforePolling: positive(
      warnings,
      'streamFailuresBeforePolling',
      input.streamFailuresBeforePolling,
      3,
    ),
    streamBackoffResetMs: positive(warnings, 'streamBackoffResetMs', input.streamBackoffResetMs, 60_000),
    requestTimeoutMs: positive(warnings, 'requestTimeoutMs', input.requestTimeoutMs, 10_000, 10),
    sendEvents: input.sendEvents ?? mode !== 'offline',
    eventsFlushIntervalMs: positive(warnings, 'eventsFlushIntervalMs', input.eventsFlushIntervalMs, 5000, 10),
    eventsFlushSize: positive(warnings, 'eventsFlushSize', input.eventsFlushSize, 500),
    eventsCapacity: positive(warnings, 'eventsCapacity', input.eventsCapacity, 10_000),
    hooks: input.hooks ?? [],
    logger: input.logger ?? consoleLogger(),
    codegen: input.codegen ?? 'auto',
  };
  if (options.streamMaxRetryDelayMs < options.streamInitialRetryDelayMs)
    options.streamMaxRetryDelayMs = options.streamInitialRetryDelayMs;
  if (options.eventsFlushSize > options.eventsCapacity) options.eventsFlushSize = options.eventsCapacity;
  if (mode === 'offline' && input.offlineFile !== undefined && input.offlineData !== undefined)
    errors.push('give offlineFile or offlineData, not both');
  if (input.watchOfflineFile === true && (mode !== 'offline' || input.offlineFile === undefined))
    warnings.push('watchOfflineFile only applies to mode "offline" with an offlineFile; ignored');
  return { options, warnings, errors };
}
