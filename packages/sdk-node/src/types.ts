import type { ErrorKind, JsonValue, Reason } from '@vexil/core';

export type { Context, JsonValue, MultiContext, SingleContext } from '@vexil/core';

/** @vexil/core's error kinds, and the SDK's own: no flags have been received (level 3). */
export type SdkErrorKind = ErrorKind | 'CLIENT_NOT_READY';

/** Why a variation call returned what it did: @vexil/core's reason, or an SDK error. */
export type EvaluationReason = Reason | { readonly kind: 'ERROR'; readonly errorKind: 'CLIENT_NOT_READY' };

/**
 * The result of a `…VariationDetail` call. When no variation is served (an error, or a flag off
 * without an off variation) `value` is the caller's default and `variationIndex` is null.
 * Results are frozen and may be shared between calls: do not mutate them.
 */
export interface EvaluationDetail<T = JsonValue> {
  readonly value: T;
  readonly variationIndex: number | null;
  readonly reason: EvaluationReason;
  /** Version of the flag configuration (0 for an unknown flag). */
  readonly version: number;
  /** True when an experiment rollout bucketed the context (an exposure event is recorded). */
  readonly inExperiment: boolean;
}

/** A flag whose evaluation may have changed. */
export interface FlagChange {
  readonly key: string;
  /** The flag's version now, or null when it was deleted. */
  readonly version: number | null;
  /** Its version before, or null when it is new. */
  readonly previousVersion: number | null;
  /**
   * `added`, `updated`, `deleted`, or `dependency`: the flag itself is unchanged but a
   * prerequisite flag or a segment it uses changed.
   */
  readonly cause: 'added' | 'updated' | 'deleted' | 'dependency';
}

/** Analytics counters, for monitoring the SDK itself. */
export interface EventStats {
  /** Events waiting to be sent. */
  queued: number;
  /** Events dropped since start because the queue was full (the server was unreachable). */
  dropped: number;
  /** Events delivered since start. */
  sent: number;
  /** Failed deliveries since start. */
  failedRequests: number;
}
