import { selectKind } from '../eval/context-access.js';
import type { Segment } from '../model/segment.js';
import type { CompiledSegment, CompileScope } from './cells.js';
import { TIER_UP_AFTER } from './cells.js';
import { compileClause, type Matcher } from './clause.js';
import { generateRuleMatcher, type RuleMatcher } from './codegen.js';
import { firstMatchingRule } from './flag.js';

type KeyList = { select: ReturnType<typeof selectKind>; keys: Set<string> };

const EMPTY: never[] = [];

const keyLists = (lists: Segment['included']): KeyList[] => {
  const used = (lists ?? EMPTY).filter((l) => l.values.length > 0);
  return used.length === 0
    ? EMPTY
    : used.map((l) => ({ select: selectKind(l.contextKind ?? 'user'), keys: new Set(l.values) }));
};

const listed = (lists: readonly KeyList[], context: unknown) => {
  for (let i = 0; i < lists.length; i++) {
    const l = lists[i] as KeyList;
    const k = l.select(context)?.key;
    if (typeof k === 'string' && l.keys.has(k)) return true;
  }
  return false;
};

/** A segment's membership test; like flags, its rules tier up to generated code when hot. */
class SegmentImpl implements CompiledSegment {
  #hits = 0;
  #generated: RuleMatcher | undefined = undefined;

  constructor(
    private readonly included: readonly KeyList[],
    private readonly excluded: readonly KeyList[],
    private readonly rules: readonly (readonly Matcher[])[],
    private readonly scope: CompileScope,
  ) {
    if (scope.codegen === 'eager') this.#tierUp();
  }

  match(context: unknown, depth: number): boolean {
    if (listed(this.included, context)) return true;
    if (listed(this.excluded, context)) return false;
    if (this.rules.length === 0) return false;
    const generated = this.#generated;
    if (generated !== undefined) return generated(context, depth) >= 0;
    if (this.scope.codegen === 'auto' && ++this.#hits === TIER_UP_AFTER) this.#tierUp();
    return firstMatchingRule(this.rules, context, depth) >= 0;
  }

  #tierUp(): void {
    if (this.rules.length > 0) this.#generated = generateRuleMatcher(this.rules, this.scope);
  }
}

/** Compiles a validated segment into its membership test. */
export function compileSegment(segment: Segment, scope: CompileScope): CompiledSegment {
  const salt = segment.salt ?? segment.key;
  const rules: Matcher[][] = (segment.rules ?? EMPTY).map((r) => r.clauses.map((c) => compileClause(c, scope, salt)));
  return new SegmentImpl(keyLists(segment.included), keyLists(segment.excluded), rules, scope);
}
