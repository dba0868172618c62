import type { EvaluationResult, Reason } from '../eval/result.js';
import { prerequisiteFailed, ruleMatch } from '../eval/result.js';
import type { Clause } from '../model/clause.js';
import type { JsonValue } from '../schema/builder.js';
import type { Matcher } from './clause.js';

/** Past this many entries a table starts over; what was compiled keeps its references. */
const LIMIT = 50_000;

/**
 * Compiled pieces shared between the flags and segments of one evaluator. Real flag sets repeat
 * themselves (the same audience clause in many flags, the same few rule ids and versions), so a
 * clause is compiled once and a result object exists once, whatever number of flags use it.
 * Tables are per evaluator: nothing is shared across evaluators, and a table that grows past
 * LIMIT (a long-lived process applying many updates) is simply started afresh.
 */
export class Interner {
  readonly #matchers = new Map<string, Matcher>();
  readonly #clauses = new Map<Matcher, Clause>();
  readonly #results = new Map<Reason, Map<string, EvaluationResult>>();
  #resultCount = 0;
  readonly #reasons = new Map<string, Reason>();

  /** The shared matcher for a clause (percentage clauses also depend on the salt they default to). */
  matcher(clause: Clause, salt: string, build: () => Matcher): Matcher {
    // Unambiguous without quoting every field: kinds and operators cannot hold '|', free text
    // is length-prefixed, and the values (JSON) come last.
    const seed = clause.seed ?? (clause.op === 'percentage' ? salt : '');
    const attribute = clause.attribute ?? '';
    const key = `${clause.contextKind ?? ''}|${clause.op}|${clause.negate ? 1 : 0}${clause.caseInsensitive ? 1 : 0}|${clause.hash ?? ''}|${attribute.length}:${attribute}|${seed.length}:${seed}|${JSON.stringify(clause.values)}`;
    let m = this.#matchers.get(key);
    if (m === undefined) {
      if (this.#matchers.size >= LIMIT) {
        this.#matchers.clear();
        this.#clauses.clear();
      }
      m = build();
      this.#matchers.set(key, m);
      this.#clauses.set(m, clause);
    }
    return m;
  }

  /** The clause a shared matcher was compiled from (code generation reads it). */
  clauseOf(m: Matcher): Clause | undefined {
    return this.#clauses.get(m);
  }

  result(
    value: JsonValue,
    variationIndex: number | null,
    reason: Reason,
    version: number,
    inExperiment = false,
  ): EvaluationResult {
    // Object values are per-flag copies: results holding them are not shared.
    if (value !== null && typeof value === 'object')
      return Object.freeze({ value, variationIndex, reason, version, inExperiment });
    let byReason = this.#results.get(reason);
    if (byReason === undefined) this.#results.set(reason, (byReason = new Map()));
    const key = `${variationIndex}|${version}|${inExperiment ? 1 : 0}|${typeof value}|${String(value)}`;
    let r = byReason.get(key);
    if (r === undefined) {
      if (++this.#resultCount > LIMIT) {
        this.#results.clear();
        this.#resultCount = 0;
      }
      r = Object.freeze({ value, variationIndex, reason, version, inExperiment });
      byReason.set(key, r);
    }
    return r;
  }

  ruleReason(index: number, id: string): Reason {
    return this.#reason(`r|${index}|${id}`, () => ruleMatch(index, id));
  }

  prerequisiteReason(key: string): Reason {
    return this.#reason(`p|${key}`, () => prerequisiteFailed(key));
  }

  #reason(key: string, build: () => Reason): Reason {
    let r = this.#reasons.get(key);
    if (r === undefined) {
      if (this.#reasons.size >= LIMIT) this.#reasons.clear();
      r = build();
      this.#reasons.set(key, r);
    }
    return r;
  }
}
