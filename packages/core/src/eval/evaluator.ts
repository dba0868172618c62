import type { CodegenMode, CompiledFlag, CompileScope, FlagCell, SegmentCell } from '../compile/cells.js';
import { compileFlag } from '../compile/flag.js';
import { Interner } from '../compile/intern.js';
import { compileSegment } from '../compile/segment.js';
import type { Flag } from '../model/flag.js';
import type { Segment } from '../model/segment.js';
import type { Issue } from '../schema/check.js';
import { validateFlag } from '../validate/flag.js';
import { validateSegment } from '../validate/segment.js';
import { type Snapshot, validateSnapshot } from '../validate/snapshot.js';
import { type EvaluationResult, errorResult } from './result.js';

/**
 * An environment's compiled flags and segments. Updates are applied one flag or segment at a
 * time (as a stream delivers them) and take effect for every referrer at once.
 */
export interface Evaluator {
  /** Never throws: an unknown flag gives an ERROR result with FLAG_NOT_FOUND. */
  evaluate(flagKey: string, context: unknown): EvaluationResult;
  /** The compiled flag, for callers that evaluate one flag many times. */
  flag(flagKey: string): CompiledFlag | undefined;
  flagKeys(): string[];
  /** Validates and compiles; on problems, keeps the previous version and returns them. */
  setFlag(flag: unknown): Issue[];
  deleteFlag(key: string): void;
  setSegment(segment: unknown): Issue[];
  deleteSegment(key: string): void;
}

export type CreateEvaluatorResult = { ok: true; evaluator: Evaluator } | { ok: false; issues: Issue[] };

export interface EvaluatorOptions {
  /** Generated code for hot flags: `auto` (default), `eager` or `off` (see CodegenMode). */
  codegen?: CodegenMode;
}

/** Validates a whole snapshot and compiles it; a snapshot with any problem is rejected whole. */
export function createEvaluator(snapshot: Snapshot, options: EvaluatorOptions = {}): CreateEvaluatorResult {
  const issues = validateSnapshot(snapshot);
  if (issues.length > 0) return { ok: false, issues };
  const evaluator = new SnapshotEvaluator(options.codegen ?? 'auto');
  for (const s of snapshot.segments ?? []) evaluator.putSegment(s as Segment);
  for (const f of snapshot.flags) evaluator.putFlag(f as Flag);
  return { ok: true, evaluator };
}

class SnapshotEvaluator implements Evaluator {
  readonly #flags = new Map<string, FlagCell>();
  /** Compiled flags by key, beside their cells: evaluate() costs one lookup, not two. */
  readonly #compiled = new Map<string, CompiledFlag>();
  readonly #segments = new Map<string, SegmentCell>();
  readonly #scope: CompileScope;

  constructor(codegen: CodegenMode) {
    this.#scope = {
      flag: (key) => this.#flagCell(key),
      segment: (key) => this.#segmentCell(key),
      codegen,
      intern: new Interner(),
    };
  }

  evaluate(flagKey: string, context: unknown): EvaluationResult {
    const flag = this.#compiled.get(flagKey);
    if (flag === undefined) return errorResult('FLAG_NOT_FOUND');
    try {
      return flag.evaluate(context);
    } catch {
      // Compiled code guards every access; this is the last line that keeps the promise never to throw
      // (a context with a throwing getter, say).
      return errorResult('EXCEPTION', flag.version);
    }
  }

  flag(flagKey: string) {
    return this.#flags.get(flagKey)?.flag;
  }

  flagKeys() {
    return [...this.#flags.values()].filter((c) => c.flag !== undefined).map((c) => c.key);
  }

  setFlag(input: unknown): Issue[] {
    const issues = validateFlag(input);
    if (issues.length === 0) this.putFlag(input as Flag);
    return issues;
  }

  deleteFlag(key: string) {
    const cell = this.#flags.get(key);
    if (cell) cell.flag = undefined;
    this.#compiled.delete(key);
  }

  setSegment(input: unknown): Issue[] {
    const issues = validateSegment(input);
    if (issues.length === 0) this.putSegment(input as Segment);
    return issues;
  }

  deleteSegment(key: string) {
    const cell = this.#segments.get(key);
    if (cell) cell.segment = undefined;
  }

  putFlag(flag: Flag) {
    const compiled = compileFlag(flag, this.#scope);
    this.#flagCell(flag.key).flag = compiled;
    this.#compiled.set(flag.key, compiled);
  }

  putSegment(segment: Segment) {
    this.#segmentCell(segment.key).segment = compileSegment(segment, this.#scope);
  }

  #flagCell(key: string): FlagCell {
    let cell = this.#flags.get(key);
    if (!cell) this.#flags.set(key, (cell = { key, flag: undefined }));
    return cell;
  }

  #segmentCell(key: string): SegmentCell {
    let cell = this.#segments.get(key);
    if (!cell) this.#segments.set(key, (cell = { key, segment: undefined }));
    return cell;
  }
}
