import type { EvaluationResult } from '../eval/result.js';
import type { Rule } from '../model/flag.js';
import { compileRegex } from '../regex/index.js';
import type { CompileScope, SegmentCell } from './cells.js';
import { MAX_DEPTH } from './cells.js';
import { type Matcher, valueTests } from './clause.js';
import type { Outcome } from './serve.js';

/** Index of the first rule whose clauses all match, or -1. */
export type RuleMatcher = (context: unknown, depth: number) => number;

function anyOf(values: unknown[], test: (v: unknown) => boolean): boolean {
  for (const v of values) if (v !== null && test(v)) return true;
  return false;
}

let allowed: boolean | undefined;
/** Code generation needs `new Function`, which some hosts forbid (CSP, edge runtimes): then closures serve. */
export function codegenAvailable(): boolean {
  if (allowed === undefined) {
    try {
      allowed = new Function('return 1')() === 1;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}

const INLINE_IN = 8;

/**
 * The second tier of rule compilation, for flags evaluated often: all rules of a flag as one
 * generated function, in which a clause on a top-level attribute of the user kind reads the
 * attribute with a constant property name and, for the common operators, compares inline; every
 * other clause calls its compiled closure. Semantics are those of the closures exactly: the
 * golden vectors run through both tiers.
 */
export function generateRuleMatcher(
  matchers: readonly (readonly Matcher[])[],
  scope: CompileScope,
): RuleMatcher | undefined {
  return generate(matchers, scope, undefined) as RuleMatcher | undefined;
}

/**
 * For a flag with neither prerequisites nor targets: the whole evaluation as one generated
 * function, rules, served results and fallthrough included.
 */
export function generateFlagEvaluation(
  matchers: readonly (readonly Matcher[])[],
  outcomes: readonly Outcome[],
  fallthrough: Outcome,
  malformed: EvaluationResult,
  scope: CompileScope,
): ((context: unknown, depth?: number) => EvaluationResult) | undefined {
  return generate(matchers, scope, { outcomes, fallthrough, malformed }) as
    | ((context: unknown, depth?: number) => EvaluationResult)
    | undefined;
}

// The user kind, selected inline (the logic of selectKind('user')): the common case costs a
// property read and a comparison.
const SELECT_USER = `let u;
if (c !== null && typeof c === 'object') {
  const k = c.kind;
  if (k === 'user') u = c;
  else if (k === undefined) { if (!Array.isArray(c)) u = c; }
  else if (k === 'multi') { const s = c.user; if (s !== null && typeof s === 'object' && !Array.isArray(s)) u = s; }
}
let v;`;

function generate(
  matchers: readonly (readonly Matcher[])[],
  scope: CompileScope,
  serve: { outcomes: readonly Outcome[]; fallthrough: Outcome; malformed: EvaluationResult } | undefined,
): unknown {
  if (!codegenAvailable()) return undefined;
  const M: Matcher[] = [];
  const T: ((v: unknown) => boolean)[] = [];
  const R: RegExp[] = [];
  const S: SegmentCell[] = [];
  const attributes = new Map<string, number>();
  const intern = scope.intern;
  // As a whole flag evaluation it is called like CompiledFlag.evaluate, depth optional.
  const lines: string[] = serve
    ? [`if (depth === undefined) depth = 0; else if (depth > ${MAX_DEPTH}) return MAL;`, SELECT_USER]
    : [SELECT_USER];
  const result = (o: Outcome, i: number) => (typeof o === 'function' ? `return O[${i}](c);` : `return O[${i}];`);
  matchers.forEach((rule, i) => {
    const conditions = rule.map((m) => {
      const test = valueTests.get(m);
      const clause = intern.clauseOf(m);
      const attribute = clause?.attribute ?? 'key';
      const inlinable =
        clause !== undefined &&
        test !== undefined &&
        (clause.contextKind ?? 'user') === 'user' &&
        attribute !== 'kind' &&
        !attribute.startsWith('/') &&
        !(attribute in Object.prototype);
      if (
        clause?.op === 'segmentMatch' &&
        clause.values.length > 0 &&
        clause.values.every((k) => typeof k === 'string')
      ) {
        // Straight to the segments' cells: their current membership test, one call fewer.
        const tests = clause.values.map((k) => {
          S.push(scope.segment(k as string));
          return `S[${S.length - 1}].segment?.match(c, depth + 1) === true`;
        });
        const read = `(depth <= ${MAX_DEPTH} && (${tests.join(' || ')}))`;
        return clause.negate ? `!${read}` : read;
      }
      if (!inlinable) {
        M.push(m);
        return `M[${M.length - 1}](c, depth)`;
      }
      T.push(test);
      const t = `T[${T.length - 1}]`;
      // Each attribute is read once, up front, like hand-written code would (see `reads` below).
      let slot = attributes.get(attribute);
      if (slot === undefined) attributes.set(attribute, (slot = attributes.size));
      const load = `(v = a${slot})`;
      const values = clause.values;
      // `in` over a few primitives: the equality chain comes first, as no undefined or null equals them.
      const read =
        clause.op === 'in' && !clause.caseInsensitive && values.length > 0 && values.length <= INLINE_IN
          ? `(${values.map((x, k) => `${k === 0 ? load : 'v'} === ${JSON.stringify(x)}`).join(' || ')} || (v !== null && typeof v === 'object' && Array.isArray(v) && anyOf(v, ${t})))`
          : `(${load}, v !== undefined && v !== null && (typeof v === 'object' ? Array.isArray(v) && anyOf(v, ${t}) : ${inline(clause, t, R)}))`;
      return clause.negate ? `!${read}` : read;
    });
    const hit = serve ? result(serve.outcomes[i] as Outcome, i) : `return ${i};`;
    lines.push(conditions.length === 0 ? hit : `if (${conditions.join(' && ')}) ${hit}`);
  });
  lines.push(serve ? result(serve.fallthrough, serve.outcomes.length) : 'return -1;');
  const reads = [...attributes].map(
    ([name, slot]) => `const a${slot} = u === undefined ? undefined : u[${JSON.stringify(name)}];`,
  );
  lines.splice(lines.indexOf(SELECT_USER) + 1, 0, ...reads);
  const O: Outcome[] = serve ? [...serve.outcomes, serve.fallthrough] : [];
  const factory = new Function(
    'M',
    'T',
    'O',
    'MAL',
    'R',
    'S',
    'anyOf',
    `return function evaluate(c, depth) {\n${lines.join('\n')}\n};`,
  );
  return factory(M, T, O, serve?.malformed, R, S, anyOf);
}

/** The comparison of one scalar `v`, written out where that is exact, else a call of the prepared test. */
function inline(clause: Rule['clauses'][number], t: string, R: RegExp[]): string {
  const values = clause.values;
  const lit = (x: unknown) => JSON.stringify(x);
  if (clause.caseInsensitive) return `${t}(v)`;
  switch (clause.op) {
    case 'in':
      if (values.length === 0) return 'false';
      if (values.length > INLINE_IN) return `${t}(v)`;
      return `(${values.map((x) => `v === ${lit(x)}`).join(' || ')})`;
    case 'startsWith':
    case 'endsWith':
    case 'contains': {
      const method = clause.op === 'contains' ? 'includes' : clause.op;
      if (values.length === 0 || values.length > INLINE_IN) return `${t}(v)`;
      return `(typeof v === 'string' && (${values.map((x) => `v.${method}(${lit(x)})`).join(' || ')}))`;
    }
    case 'lessThan':
    case 'lessThanOrEqual':
    case 'greaterThan':
    case 'greaterThanOrEqual': {
      // Numbers compare inline; numeric strings take the prepared test's parse.
      if (values.length !== 1 || typeof values[0] !== 'number') return `${t}(v)`;
      const op = { lessThan: '<', lessThanOrEqual: '<=', greaterThan: '>', greaterThanOrEqual: '>=' }[clause.op];
      // v - v === 0 holds for finite numbers only: infinities and NaN go to the prepared test.
      return `(typeof v === 'number' && v - v === 0 ? v ${op} ${lit(values[0])} : ${t}(v))`;
    }
    case 'matches': {
      // A pattern the host RegExp runs safely is called directly, without the test's wrappers.
      const compiled = values.length === 1 && typeof values[0] === 'string' ? compileRegex(values[0]) : undefined;
      const native = compiled?.ok ? compiled.regex.native : undefined;
      if (native === undefined) return `${t}(v)`;
      R.push(native);
      return `(typeof v === 'string' && R[${R.length - 1}].test(v))`;
    }
    default:
      return `${t}(v)`;
  }
}
