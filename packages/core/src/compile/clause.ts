import { attributeGetter, contextKinds, selectKind } from '../eval/context-access.js';
import { bucketPrefix, unleashPercentile, vexilBucket } from '../hash/bucket.js';
import type { Clause } from '../model/clause.js';
import { type ValueTest, prepareOperator } from '../operators/prepare.js';
import { type CompileScope, MAX_DEPTH } from './cells.js';

/** A compiled condition over a context. `depth` bounds recursion through nested segments. */
export type Matcher = (context: unknown, depth: number) => boolean;

/** Compiles a validated clause. `salt` seeds percentage clauses that name no seed. */
export function compileClause(clause: Clause, scope: CompileScope, salt: string): Matcher {
  const m = compilePositive(clause, scope, salt);
  return clause.negate ? (c, d) => !m(c, d) : m;
}

function compilePositive(clause: Clause, scope: CompileScope, salt: string): Matcher {
  const kind = clause.contextKind ?? 'user';
  const attribute = clause.attribute ?? 'key';

  if (clause.op === 'segmentMatch') {
    const cells = clause.values.map((k) => scope.segment(String(k)));
    return (c, d) => {
      if (d > MAX_DEPTH) return false;
      for (const cell of cells) if (cell.match?.(c, d + 1)) return true;
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

  // `kind` is not an attribute of any one context: it is the set of kinds the context holds.
  if (attribute === 'kind') return (c) => contextKinds(c).some(test);

  return (c) => {
    const attrs = select(c);
    if (attrs === undefined) return false;
    const v = get(attrs);
    if (v === undefined || v === null) return false;
    if (Array.isArray(v)) return anyOf(v, test);
    return test(v);
  };
}

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
