import type { Clause } from '../model/clause.js';
import { prepareOperator } from '../operators/prepare.js';
import { type Issue, pointer } from '../schema/check.js';

const RESERVED_KINDS = new Set(['multi', 'kind']);

/** "multi" and "kind" name the structure of a context, never one of its kinds. */
export function checkKind(kind: string | undefined, path: string, out: Issue[]): void {
  if (kind !== undefined && RESERVED_KINDS.has(kind))
    out.push({ path, code: 'reserved_kind', message: `"${kind}" is reserved` });
}

/**
 * Structural issues first; then the semantic ones, found where the document is sound enough to
 * walk, so that one request reports every problem. Semantic findings at, inside or around a
 * structurally broken value are dropped: they would only restate it.
 */
export function withSemantics<T>(structural: Issue[], input: unknown, semantic: (doc: T) => Issue[]): Issue[] {
  if (structural.length === 0) return semantic(input as T);
  let found: Issue[] = [];
  try {
    found = semantic(input as T);
  } catch {
    // A document too broken to walk: its structural issues say enough.
  }
  const broken = structural.map((i) => i.path);
  const related = (p: string) => broken.some((b) => p === b || p.startsWith(`${b}/`) || b.startsWith(`${p}/`));
  return [...structural, ...found.filter((i) => !related(i.path))];
}

/** Semantic checks of clauses that the schema alone cannot express. */
export function checkClauses(clauses: readonly Clause[], path: string, out: Issue[]): void {
  clauses.forEach((clause, i) => checkClause(clause, pointer(path, i), out));
}

function checkClause(c: Clause, path: string, out: Issue[]): void {
  checkKind(c.contextKind, pointer(path, 'contextKind'), out);
  const onlyFor = (field: 'hash' | 'seed', op: string) => {
    if (c[field] !== undefined && c.op !== op) {
      out.push({ path: pointer(path, field), code: 'not_applicable', message: `only applies to the ${op} operator` });
    }
  };
  onlyFor('hash', 'percentage');
  onlyFor('seed', 'percentage');

  switch (c.op) {
    case 'segmentMatch':
      if (c.attribute !== undefined || c.contextKind !== undefined) {
        out.push({ path, code: 'not_applicable', message: 'segmentMatch takes no attribute or contextKind' });
      }
      c.values.forEach((v, i) => {
        if (typeof v !== 'string' || v.length === 0) {
          out.push({
            path: pointer(pointer(path, 'values'), i),
            code: 'invalid_value',
            message: 'must be a segment key',
          });
        }
      });
      if (c.values.length === 0)
        out.push({ path: pointer(path, 'values'), code: 'too_short', message: 'must name at least one segment' });
      return;
    case 'exists':
      if (c.values.length > 0)
        out.push({ path: pointer(path, 'values'), code: 'not_applicable', message: 'exists takes no values' });
      return;
    case 'percentage': {
      const v = c.values[0];
      if (c.values.length !== 1 || typeof v !== 'number' || !(v >= 0 && v <= 100)) {
        out.push({ path: pointer(path, 'values'), code: 'invalid_value', message: 'must be one number from 0 to 100' });
      } else if ((c.hash ?? 'vexil') === 'unleash' && !Number.isInteger(v)) {
        out.push({
          path: pointer(pointer(path, 'values'), 0),
          code: 'invalid_value',
          message: 'Unleash hashing takes whole percentages',
        });
      } else if (Math.abs(Math.round(v * 1000) - v * 1000) > 1e-6) {
        out.push({
          path: pointer(pointer(path, 'values'), 0),
          code: 'invalid_value',
          message: 'at most three decimal places',
        });
      }
      return;
    }
    default: {
      if (c.attribute === undefined) {
        out.push({ path: pointer(path, 'attribute'), code: 'required', message: `is required for ${c.op}` });
      }
      const prepared = prepareOperator(c.op, c.values, c.caseInsensitive ?? false);
      if (!prepared.ok) {
        for (const p of prepared.problems) {
          const at = p.index === null ? pointer(path, 'values') : pointer(pointer(path, 'values'), p.index);
          out.push({ path: at, code: c.op === 'matches' ? 'invalid_regex' : 'invalid_value', message: p.message });
        }
      }
      if (c.caseInsensitive && !['in', 'startsWith', 'endsWith', 'contains', 'matches'].includes(c.op)) {
        out.push({
          path: pointer(path, 'caseInsensitive'),
          code: 'not_applicable',
          message: `does not apply to ${c.op}`,
        });
      }
    }
  }
}
