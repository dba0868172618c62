import { selectKind } from '../eval/context-access.js';
import { type EvaluationResult, errorResult, FALLTHROUGH, OFF, TARGET_MATCH } from '../eval/result.js';
import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../schema/builder.js';
import { type CompiledFlag, type CompileScope, type FlagCell, MAX_DEPTH, TIER_UP_AFTER } from './cells.js';
import { compileClause, type Matcher } from './clause.js';
import { generateFlagEvaluation, generateRuleMatcher, type RuleMatcher } from './codegen.js';
import { compileServe, frozenValues, type Outcome } from './serve.js';

interface CompiledTarget {
  select: ReturnType<typeof selectKind>;
  keys: Set<string>;
  outcome: EvaluationResult;
}

interface CompiledPrerequisite {
  cell: FlagCell;
  variation: number;
  failed: EvaluationResult;
}

const EMPTY: never[] = [];

/** The first rule (by index) whose clauses all match, through the compiled closures; -1 if none. */
export function firstMatchingRule(rules: readonly (readonly Matcher[])[], context: unknown, depth: number): number {
  scan: for (let i = 0; i < rules.length; i++) {
    const ms = rules[i] as readonly Matcher[];
    for (let j = 0; j < ms.length; j++) if (!(ms[j] as Matcher)(context, depth)) continue scan;
    return i;
  }
  return -1;
}

/**
 * A compiled flag: plain data (prepared tables, shared matchers, interned results) with its
 * evaluation on the prototype, so that ten thousand flags hold no closures of their own.
 * Evaluation allocates nothing. After TIER_UP_AFTER evaluations, its rules are generated as one
 * function (codegen.ts), where the host allows it.
 */
class FlagImpl implements CompiledFlag {
  #hits = 0;
  #generated: RuleMatcher | undefined = undefined;
  #wholeGenerated = false;
  /**
   * An own property from the start, so that every compiled flag keeps one hidden class when a
   * hot one swaps in its generated evaluation: call sites stay monomorphic.
   */
  evaluate: (context: unknown, depth?: number) => EvaluationResult;
  /** The one result of a flag that is off, or on with nothing to decide: returned at once. */
  readonly #fixed: EvaluationResult | undefined;

  constructor(
    readonly key: string,
    readonly version: number,
    readonly kind: string,
    readonly clientVisible: boolean,
    on: boolean,
    off: EvaluationResult,
    private readonly prerequisites: readonly CompiledPrerequisite[],
    private readonly targets: readonly CompiledTarget[],
    private readonly rules: readonly (readonly Matcher[])[],
    private readonly outcomes: readonly Outcome[],
    private readonly fallthrough: Outcome,
    private readonly scope: CompileScope,
  ) {
    this.evaluate = FlagImpl.prototype.evaluateWithClosures;
    if (!on) this.#fixed = off;
    else if (
      prerequisites.length === 0 &&
      targets.length === 0 &&
      rules.length === 0 &&
      typeof fallthrough !== 'function'
    )
      this.#fixed = fallthrough;
    if (scope.codegen === 'eager') this.#tierUp();
  }

  get tier(): 'closures' | 'generated' {
    return this.#generated === undefined && !this.#wholeGenerated ? 'closures' : 'generated';
  }

  evaluateWithClosures(context: unknown, depth = 0): EvaluationResult {
    const fixed = this.#fixed;
    if (fixed !== undefined) return fixed;
    if (depth > MAX_DEPTH) return errorResult('MALFORMED_FLAG', this.version);

    const prerequisites = this.prerequisites;
    for (let i = 0; i < prerequisites.length; i++) {
      const p = prerequisites[i] as CompiledPrerequisite;
      const pre = p.cell.flag;
      if (pre === undefined) return p.failed;
      const r = pre.evaluate(context, depth + 1);
      if (r.reason.kind === 'ERROR' && r.reason.errorKind === 'MALFORMED_FLAG')
        return errorResult('MALFORMED_FLAG', this.version);
      if (r.reason.kind === 'OFF' || r.variationIndex !== p.variation) return p.failed;
    }

    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i] as CompiledTarget;
      const attrs = t.select(context);
      if (attrs !== undefined) {
        const k = attrs.key;
        if (typeof k === 'string' && t.keys.has(k)) return t.outcome;
      }
    }

    const rules = this.rules;
    if (rules.length > 0) {
      const generated = this.#generated;
      let i: number;
      if (generated !== undefined) i = generated(context, depth);
      else {
        if (this.scope.codegen === 'auto' && ++this.#hits === TIER_UP_AFTER) this.#tierUp();
        i = firstMatchingRule(rules, context, depth);
      }
      if (i >= 0) {
        const o = this.outcomes[i] as Outcome;
        return typeof o === 'function' ? o(context) : o;
      }
    }
    const f = this.fallthrough;
    return typeof f === 'function' ? f(context) : f;
  }

  #tierUp(): void {
    if (this.rules.length === 0) return;
    if (this.prerequisites.length === 0 && this.targets.length === 0) {
      const whole = generateFlagEvaluation(
        this.rules,
        this.outcomes,
        this.fallthrough,
        errorResult('MALFORMED_FLAG', this.version),
        this.scope,
      );
      if (whole !== undefined) {
        // An own property shadowing the prototype's method: callers reach the generated code directly.
        this.evaluate = whole;
        this.#wholeGenerated = true;
        return;
      }
    }
    this.#generated = generateRuleMatcher(this.rules, this.scope);
  }
}

/** Compiles a validated flag. Every parse, regex, lookup table and result is built here, once. */
export function compileFlag(flag: Flag, scope: CompileScope): CompiledFlag {
  const { key, version } = flag;
  const intern = scope.intern;
  const salt = flag.salt ?? key;
  const values: JsonValue[] = frozenValues(flag.variations.map((v) => v.value));
  const offIndex = flag.offVariation;
  const offResult = (reason: EvaluationResult['reason']): EvaluationResult =>
    offIndex === undefined
      ? intern.result(null, null, reason, version)
      : intern.result(values[offIndex] ?? null, offIndex, reason, version);

  const prerequisites: CompiledPrerequisite[] =
    flag.prerequisites === undefined || flag.prerequisites.length === 0
      ? EMPTY
      : flag.prerequisites.map((p) => ({
          cell: scope.flag(p.key),
          variation: p.variation,
          failed: offResult(intern.prerequisiteReason(p.key)),
        }));

  const targetList = (flag.targets ?? EMPTY).filter((t) => t.values.length > 0);
  const targets: CompiledTarget[] =
    targetList.length === 0
      ? EMPTY
      : targetList.map((t) => ({
          select: selectKind(t.contextKind ?? 'user'),
          keys: new Set(t.values),
          outcome: intern.result(values[t.variation] ?? null, t.variation, TARGET_MATCH, version),
        }));

  const ruleList = flag.rules ?? EMPTY;
  const rules: Matcher[][] =
    ruleList.length === 0 ? EMPTY : ruleList.map((rule) => rule.clauses.map((c) => compileClause(c, scope, salt)));
  const outcomes: Outcome[] =
    ruleList.length === 0
      ? EMPTY
      : ruleList.map((rule, index) =>
          compileServe(rule.serve, values, version, salt, intern.ruleReason(index, rule.id), intern),
        );

  return new FlagImpl(
    key,
    version,
    flag.kind,
    flag.clientVisible ?? false,
    flag.on,
    offResult(OFF),
    prerequisites,
    targets,
    rules,
    outcomes,
    compileServe(flag.fallthrough, values, version, salt, FALLTHROUGH, intern),
    scope,
  );
}
