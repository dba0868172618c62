import type { EvaluationResult } from '../eval/result.js';
import type { Interner } from './intern.js';

/**
 * Compiled flags and segments refer to each other through cells rather than by lookup, so a
 * prerequisite or segmentMatch costs one property read at evaluation, and replacing a segment
 * or flag updates every referrer at once without recompiling them.
 */
export interface SegmentCell {
  key: string;
  /** Undefined while no segment with this key exists: segmentMatch then does not match. */
  segment: CompiledSegment | undefined;
}

export interface CompiledSegment {
  match(context: unknown, depth: number): boolean;
}

export interface CompiledFlag {
  readonly key: string;
  readonly version: number;
  readonly kind: string;
  readonly clientVisible: boolean;
  evaluate(context: unknown, depth?: number): EvaluationResult;
  /** `closures` until the flag has proven hot, then `generated` where the host allows it. */
  readonly tier: 'closures' | 'generated';
}

/**
 * When flags get generated code: `auto` after they have been evaluated TIER_UP_AFTER times (and
 * where the host allows `new Function`), `eager` at once, `off` never.
 */
export type CodegenMode = 'off' | 'auto' | 'eager';
// Early enough that a flag in use gets its generated code before V8 starts collecting type
// feedback for its callers (after about eight calls): call sites then see only the generated
// function and stay monomorphic. Flags that are never evaluated stay compact data.
export const TIER_UP_AFTER = 8;

export interface FlagCell {
  key: string;
  flag: CompiledFlag | undefined;
}

/** What compilation needs from its surroundings. */
export interface CompileScope {
  segment(key: string): SegmentCell;
  flag(key: string): FlagCell;
  readonly codegen: CodegenMode;
  readonly intern: Interner;
}

/** Prerequisite chains and nested segments deeper than this are treated as cycles. */
export const MAX_DEPTH = 32;
