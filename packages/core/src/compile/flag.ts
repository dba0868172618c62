import { selectKind } from '../eval/context-access.js';
import {
  type EvaluationResult,
  FALLTHROUGH,
  OFF,
  TARGET_MATCH,
  errorResult,
  prerequisiteFailed,
  ruleMatch,
} from '../eval/result.js';
import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../schema/builder.js';
import { type CompileScope, type CompiledFlag, MAX_DEPTH } from './cells.js';
import { type Matcher, compileClause } from './clause.js';
import { type Server, compileServe } from './serve.js';

interface CompiledRule {
  matchers: Matcher[];
  serve: Server;
  reason: ReturnType<typeof ruleMatch>;
}

/**
 * Compiles a validated flag into a closure. Every parse, regex and lookup table is built here;
 * evaluation then walks prepared arrays and allocates only its result object.
 */
export function compileFlag(flag: Flag, scope: CompileScope): CompiledFlag {
  const { key, version } = flag;
  const salt = flag.salt ?? key;
  const values: JsonValue[] = flag.variations.map((v) => v.value);
  const offIndex = flag.offVariation;
  const offResult = (reason: EvaluationResult['reason']): EvaluationResult =>
    offIndex === undefined
      ? { value: null, variationIndex: null, reason, version, inExperiment: false }
      : { value: values[offIndex] ?? null, variationIndex: offIndex, reason, version, inExperiment: false };

  const prerequisites = (flag.prerequisites ?? []).map((p) => ({
    cell: scope.flag(p.key),
    variation: p.variation,
    reason: prerequisiteFailed(p.key),
  }));

  const targets = (flag.targets ?? [])
    .filter((t) => t.values.length > 0)
    .map((t) => ({
      select: selectKind(t.contextKind ?? 'user'),
      keys: new Set(t.values),
      serve: compileServe({ variation: t.variation }, values, version, salt),
    }));

  const rules: CompiledRule[] = (flag.rules ?? []).map((rule, index) => ({
    matchers: rule.clauses.map((c) => compileClause(c, scope, salt)),
    serve: compileServe(rule.serve, values, version, salt),
    reason: ruleMatch(index, rule.id),
  }));

  const fallthrough = compileServe(flag.fallthrough, values, version, salt);
  const on = flag.on;

  const evaluate = (context: unknown, depth = 0): EvaluationResult => {
    if (!on) return offResult(OFF);
    if (depth > MAX_DEPTH) return errorResult('MALFORMED_FLAG', version);

    for (const p of prerequisites) {
      const pre = p.cell.flag;
      if (pre === undefined) return offResult(p.reason);
      const r = pre.evaluate(context, depth + 1);
      if (r.reason.kind === 'ERROR' && r.reason.errorKind === 'MALFORMED_FLAG') return errorResult('MALFORMED_FLAG', version);
      if (r.reason.kind === 'OFF' || r.variationIndex !== p.variation) return offResult(p.reason);
    }

    for (const t of targets) {
      const attrs = t.select(context);
      if (attrs !== undefined) {
        const k = attrs.key;
        if (typeof k === 'string' && t.keys.has(k)) return t.serve(context, TARGET_MATCH);
      }
    }

    rules: for (const rule of rules) {
      for (const m of rule.matchers) if (!m(context, depth)) continue rules;
      return rule.serve(context, rule.reason);
    }

    return fallthrough(context, FALLTHROUGH);
  };

  return { key, version, kind: flag.kind, clientVisible: flag.clientVisible ?? false, evaluate };
}
