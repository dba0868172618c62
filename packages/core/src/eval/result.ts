import type { JsonValue } from '../schema/builder.js';

export const ERROR_KINDS = ['FLAG_NOT_FOUND', 'MALFORMED_FLAG', 'INVALID_CONTEXT', 'WRONG_TYPE', 'EXCEPTION'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Why a flag evaluated as it did. Reasons are data, shared between evaluations, never mutated. */
export type Reason =
  | { readonly kind: 'OFF' }
  | { readonly kind: 'TARGET_MATCH' }
  | { readonly kind: 'RULE_MATCH'; readonly ruleIndex: number; readonly ruleId: string }
  | { readonly kind: 'FALLTHROUGH' }
  | { readonly kind: 'PREREQUISITE_FAILED'; readonly prerequisiteKey: string }
  | { readonly kind: 'ERROR'; readonly errorKind: ErrorKind };

export interface EvaluationResult {
  /** The served value; null when no variation is served (off without offVariation, or an error). */
  readonly value: JsonValue;
  /** Index into the flag's variations, or null when none was served. */
  readonly variationIndex: number | null;
  readonly reason: Reason;
  /** Version of the flag configuration that produced this result (0 when unknown). */
  readonly version: number;
  /** True when a rollout marked as an experiment placed this context in a bucket. */
  readonly inExperiment: boolean;
}

export const OFF: Reason = Object.freeze({ kind: 'OFF' });
export const FALLTHROUGH: Reason = Object.freeze({ kind: 'FALLTHROUGH' });
export const TARGET_MATCH: Reason = Object.freeze({ kind: 'TARGET_MATCH' });

const errorReasons = Object.fromEntries(
  ERROR_KINDS.map((errorKind) => [errorKind, Object.freeze({ kind: 'ERROR', errorKind })]),
) as Record<ErrorKind, Reason>;

export const errorReason = (kind: ErrorKind): Reason => errorReasons[kind];

export const ruleMatch = (ruleIndex: number, ruleId: string): Reason =>
  Object.freeze({ kind: 'RULE_MATCH', ruleIndex, ruleId });

export const prerequisiteFailed = (prerequisiteKey: string): Reason =>
  Object.freeze({ kind: 'PREREQUISITE_FAILED', prerequisiteKey });

export const errorResult = (kind: ErrorKind, version = 0): EvaluationResult => ({
  value: null,
  variationIndex: null,
  reason: errorReasons[kind],
  version,
  inExperiment: false,
});
