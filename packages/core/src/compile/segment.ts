import { selectKind } from '../eval/context-access.js';
import type { Segment } from '../model/segment.js';
import type { CompileScope, SegmentCell } from './cells.js';
import { type Matcher, compileClause } from './clause.js';

type KeyList = { select: ReturnType<typeof selectKind>; keys: Set<string> };

const keyLists = (lists: Segment['included']): KeyList[] =>
  (lists ?? [])
    .filter((l) => l.values.length > 0)
    .map((l) => ({ select: selectKind(l.contextKind ?? 'user'), keys: new Set(l.values) }));

const listed = (lists: KeyList[], context: unknown) => {
  for (const l of lists) {
    const attrs = l.select(context);
    const k = attrs?.key;
    if (typeof k === 'string' && l.keys.has(k)) return true;
  }
  return false;
};

/** Compiles a validated segment into its membership test. */
export function compileSegment(segment: Segment, scope: CompileScope): NonNullable<SegmentCell['match']> {
  const included = keyLists(segment.included);
  const excluded = keyLists(segment.excluded);
  const salt = segment.salt ?? segment.key;
  const rules: Matcher[][] = (segment.rules ?? []).map((r) => r.clauses.map((c) => compileClause(c, scope, salt)));
  return (context, depth) => {
    if (listed(included, context)) return true;
    if (listed(excluded, context)) return false;
    rules: for (const rule of rules) {
      for (const m of rule) if (!m(context, depth)) continue rules;
      return true;
    }
    return false;
  };
}
