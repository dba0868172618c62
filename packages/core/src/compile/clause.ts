import { attributeGetter, contextKinds, selectKind } from '../eval/context-access.js';
import { bucketPrefix, unleashPercentile, vexilBucket } from '../hash/bucket.js';
import type { Clause } from '../model/clause.js';
import { prepareOperator, type ValueTest } from '../operators/prepare.js';
import { type CompileScope, MAX_DEPTH } from './cells.js';

/** A compiled condition over a context. `depth` bounds recursion through nested segments. */
export type Matcher = (context: unknown, depth: number) => boolean;

/**
 * The value test behind each compiled value-operator clause, so that code generation
 * (codegen.ts) can call the very same prepared test, regex included, without preparing it again.
 */
export const valueTests = new WeakMap<Matcher, ValueTest>();

/**
 * Compiles a validated clause, or returns the matcher already compiled for an identical clause
 * in this evaluator. `salt` seeds percentage clauses that name no seed.
 */
export function compileClause(clause: Clause, scope: CompileScope, salt: string): Matcher {
  return scope.intern.matcher(clause, salt, () => compileFresh(clause, scope, salt));
}

function compileFresh(clause: Clause, scope: CompileScope, salt: string): Matcher {
  const m = compilePositive(clause, scope, salt);
  if (!clause.negate) return m;
  const negated: Matcher = (c, d) => !m(c, d);
  const test = valueTests.get(m);
  if (test) valueTests.set(negated, test);
  return negated;
}

function compilePositive(clause: Clause, scope: CompileScope, salt: string): Matcher {
  const kind = clause.contextKind ?? 'user';
  const attribute = clause.attribute ?? 'key';

  if (clause.op === 'segmentMatch') {
    const cells = clause.values.map((k) => scope.segment(String(k)));
    return (c, d) => {
      if (d > MAX_DEPTH) return false;
      for (const cell of cells) if (cell.segment?.match(c, d + 1)) return true;
      return false;
    };
  }

  const select = selectKind(kind);
  const get = attributeGetter(attribute);

  if (clause.op === 'percentage') return compilePercentage(clause, select, get, salt);

  if (clause.op === 'exists') {
    if (attribute === 'kind') return (c) => contextKinds(c).length > 0;
    return (c) => {
      const attrs = select(c);
      if (!attrs) return false;
      const v = get(attrs);
      return v !== undefined && v !== null;
    };
  }

  const prepared = prepareOperator(clause.op, clause.values, clause.caseInsensitive ?? false);
  // Validation rejects such clauses; a clause that slipped through must still never throw.
  if (!prepared.ok) return () => false;
  const test = prepared.test;
  const m = compileValueClause(clause, kind, attribute, select, get, test);
  valueTests.set(m, test);
  return m;
}

function compileValueClause(
  clause: Clause,
  kind: string,
  attribute: string,
  select: ReturnType<typeof selectKind>,
  get: ReturnType<typeof attributeGetter>,
  test: ValueTest,
): Matcher {
  // `kind` is not an attribute of any one context: it is the set of kinds the context holds.
  if (attribute === 'kind') return (c) => contextKinds(c).some(test);

  // The common shape (a top-level attribute of the user kind) gets its own closures, so that
  // the selector call inlines and, for short `in` lists, the comparison is written out.
  if (kind === 'user' && !attribute.startsWith('/') && !(attribute in Object.prototype)) {
    const values = clause.values;
    if (clause.op === 'in' && !clause.caseInsensitive && values.length <= 2) {
      const a = values[0];
      const b = values.length === 2 ? values[1] : a;
      return (c) => {
        const attrs = userOf(c);
        if (attrs === undefined) return false;
        const v = attrs[attribute];
        if (v === a || v === b) return v !== undefined;
        return Array.isArray(v) && (v.includes(a) || v.includes(b));
      };
    }
    return (c) => {
      const attrs = userOf(c);
      if (attrs === undefined) return false;
      const v = attrs[attribute];
      if (v === undefined || v === null) return false;
      if (typeof v === 'object' && Array.isArray(v)) return anyOf(v, test);
      return test(v);
    };
  }

  return (c) => {
    const attrs = select(c);
    if (attrs === undefined) return false;
    const v = get(attrs);
    if (v === undefined || v === null) return false;
    if (Array.isArray(v)) return anyOf(v, test);
    return test(v);
  };
}

const userOf = selectKind('user');

function anyOf(values: unknown[], test: ValueTest): boolean {
  for (const v of values) if (v !== null && test(v)) return true;
  return false;
}

/** The value a context is bucketed by: strings as they are, integers in decimal, nothing else. */
export function bucketValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

function compilePercentage(
  clause: Clause,
  select: ReturnType<typeof selectKind>,
  get: ReturnType<typeof attributeGetter>,
  salt: string,
): Matcher {
  const percent = Number(clause.values[0]);
  const threshold = Math.round(percent * 1000);
  const mode = clause.hash ?? 'vexil';
  const prefix = bucketPrefix(mode, clause.seed ?? salt);
  const inside =
    mode === 'unleash'
      ? (value: string) => percent > 0 && unleashPercentile(prefix, value) <= percent
      : (value: string) => vexilBucket(prefix, value) < threshold;
  return (c) => {
    const attrs = select(c);
    if (attrs === undefined) return false;
    const value = bucketValue(get(attrs));
    return value !== undefined && inside(value);
  };
}
