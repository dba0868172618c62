import type { Issue } from '@vexil/core';

/**
 * What went wrong, as data. The SDK never throws these into the application: they are reported
 * through `client.status().lastError`, the `error` event and the logger.
 */
export type VexilErrorCode =
  | 'configuration'
  | 'unauthorized'
  | 'http'
  | 'network'
  | 'timeout'
  | 'stream_malformed'
  | 'stream_stalled'
  | 'invalid_data'
  | 'file'
  | 'events';

export class VexilError extends Error {
  constructor(
    readonly code: VexilErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True when retrying can help (network trouble, 5xx, 429); false for bad keys and bad options. */
  get retryable(): boolean {
    return this.code !== 'configuration' && this.code !== 'unauthorized';
  }
}

/** Options that cannot work (no SDK key, a malformed URL, offline without flags…). */
export class ConfigurationError extends VexilError {
  constructor(message: string) {
    super('configuration', message);
  }
}

/** The server refused the SDK key (401) or the key is not a server key (403): the SDK stops asking. */
export class UnauthorizedError extends VexilError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('unauthorized', message);
  }
}

/** Any other unexpected HTTP status. */
export class HttpError extends VexilError {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super('http', message);
  }
}

/** The connection failed or broke (refused, reset, DNS…). */
export class NetworkError extends VexilError {
  constructor(message: string, cause?: unknown) {
    super('network', message, { cause });
  }
}

/** No response headers within the request timeout. */
export class TimeoutError extends VexilError {
  constructor(message: string) {
    super('timeout', message);
  }
}

/** The stream sent something that is not a valid event (bad JSON, wrong shape, oversized). */
export class StreamMalformedError extends VexilError {
  constructor(message: string) {
    super('stream_malformed', message);
  }
}

/** Nothing, not even a heartbeat, arrived on the stream within the read timeout. */
export class StreamStalledError extends VexilError {
  constructor(readonly idleMs: number) {
    super('stream_stalled', `no data or heartbeat for ${idleMs} ms`);
  }
}

/**
 * Flag data that @vexil/core refuses, with every problem (JSON Pointer paths into the snapshot).
 * The flags that are valid on their own are still served; the others evaluate to the default
 * with reason ERROR/MALFORMED_FLAG.
 */
export class InvalidDataError extends VexilError {
  constructor(
    message: string,
    readonly issues: readonly Issue[] = [],
  ) {
    super('invalid_data', message);
  }
}

/** An offline flags file or the cache file could not be read or written. */
export class FileError extends VexilError {
  constructor(
    readonly path: string,
    message: string,
    cause?: unknown,
  ) {
    super('file', message, { cause });
  }
}

/** Analytics events could not be delivered (they stay queued, within the queue's bound). */
export class EventsError extends VexilError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super('events', message);
  }
}

/** Any thrown value as a VexilError (for reporting). */
export function asVexilError(err: unknown, fallback: (message: string) => VexilError): VexilError {
  if (err instanceof VexilError) return err;
  return fallback(err instanceof Error ? err.message : String(err));
}
