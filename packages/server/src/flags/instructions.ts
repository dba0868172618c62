import type { Issue } from '@vexil/core';
import { invalid } from '../errors/errors.js';
import type { FlagConfig, Instruction } from './flag-schemas.js';

/**
 * Applies semantic instructions in order to a copy of a configuration. Instructions that name
 * something absent (a rule id, a prerequisite) fail with the path of the instruction, so a
 * script learns exactly which step was wrong; the result is validated as a whole afterwards.
 */
export function applyInstructions(
  current: FlagConfig,
  instructions: readonly Instruction[],
  configOf: (environmentKey: string) => FlagConfig | undefined,
): FlagConfig {
  let c: FlagConfig = structuredClone(current);
  const issues: Issue[] = [];
  instructions.forEach((ins, i) => {
    const path = `/instructions/${i}`;
    const fail = (field: string, message: string) =>
      issues.push({ path: `${path}/${field}`, code: 'invalid_instruction', message });
    const rules = c.rules ?? [];
    const ruleIndex = (id: string) => rules.findIndex((r) => r.id === id);
    switch (ins.kind) {
      case 'turnFlagOn':
      case 'turnFlagOff':
        c.on = ins.kind === 'turnFlagOn';
        return;
      case 'addRule': {
        if (ins.beforeRuleId === undefined) c.rules = [...rules, ins.rule];
        else {
          const at = ruleIndex(ins.beforeRuleId);
          if (at < 0) return fail('beforeRuleId', `no rule "${ins.beforeRuleId}"`);
          c.rules = [...rules.slice(0, at), ins.rule, ...rules.slice(at)];
        }
        return;
      }
      case 'replaceRule': {
        const at = ruleIndex(ins.rule.id);
        if (at < 0) return fail('rule/id', `no rule "${ins.rule.id}"`);
        c.rules = rules.map((r, j) => (j === at ? ins.rule : r));
        return;
      }
      case 'removeRule': {
        if (ruleIndex(ins.ruleId) < 0) return fail('ruleId', `no rule "${ins.ruleId}"`);
        c.rules = rules.filter((r) => r.id !== ins.ruleId);
        return;
      }
      case 'reorderRules': {
        const ids = new Set(ins.ruleIds);
        if (ids.size !== ins.ruleIds.length || ids.size !== rules.length || rules.some((r) => !ids.has(r.id))) {
          return fail('ruleIds', 'must list every rule id exactly once');
        }
        const byId = new Map(rules.map((r) => [r.id, r]));
        c.rules = ins.ruleIds.map((id) => byId.get(id) as (typeof rules)[number]);
        return;
      }
      case 'setRuleServe': {
        const at = ruleIndex(ins.ruleId);
        if (at < 0) return fail('ruleId', `no rule "${ins.ruleId}"`);
        c.rules = rules.map((r, j) => (j === at ? { ...r, serve: ins.serve } : r));
        return;
      }
      case 'setFallthrough':
        c.fallthrough = ins.serve;
        return;
      case 'setOffVariation':
        c.offVariation = ins.variation;
        return;
      case 'addTargets': {
        const kind = ins.contextKind ?? 'user';
        const adding = new Set(ins.values);
        // A key is targeted at one variation at a time: adding it here moves it from any other.
        const targets = (c.targets ?? [])
          .map((t) =>
            (t.contextKind ?? 'user') === kind ? { ...t, values: t.values.filter((v) => !adding.has(v)) } : t,
          )
          .filter((t) => t.values.length > 0);
        const same = targets.find((t) => (t.contextKind ?? 'user') === kind && t.variation === ins.variation);
        if (same) same.values = [...same.values, ...adding];
        else
          targets.push({
            ...(ins.contextKind ? { contextKind: ins.contextKind } : {}),
            variation: ins.variation,
            values: [...adding],
          });
        c.targets = targets;
        return;
      }
      case 'removeTargets': {
        const kind = ins.contextKind ?? 'user';
        const removing = new Set(ins.values);
        c.targets = (c.targets ?? [])
          .map((t) =>
            (t.contextKind ?? 'user') === kind ? { ...t, values: t.values.filter((v) => !removing.has(v)) } : t,
          )
          .filter((t) => t.values.length > 0);
        return;
      }
      case 'addPrerequisite': {
        const rest = (c.prerequisites ?? []).filter((p) => p.key !== ins.key);
        c.prerequisites = [...rest, { key: ins.key, variation: ins.variation }];
        return;
      }
      case 'removePrerequisite': {
        const before = c.prerequisites ?? [];
        if (!before.some((p) => p.key === ins.key)) return fail('key', `no prerequisite "${ins.key}"`);
        c.prerequisites = before.filter((p) => p.key !== ins.key);
        return;
      }
      case 'copyFromEnvironment': {
        const source = configOf(ins.environment);
        if (!source) return fail('environment', `no environment "${ins.environment}"`);
        c = structuredClone(source);
        return;
      }
    }
  });
  if (issues.length > 0) throw invalid(issues);
  return c;
}
