import { type Flag, type FlagKind, flagSchema, type Serve, WEIGHT_TOTAL } from '../model/flag.js';
import { checkSchema, type Issue, pointer } from '../schema/check.js';
import { checkClauses, checkKind, withSemantics } from './clauses.js';

const KIND_CHECKS: Record<FlagKind, (v: unknown) => boolean> = {
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  json: (v) => v !== undefined,
};

/** Every problem with a flag configuration, each with its JSON Pointer path; empty when valid. */
export function validateFlag(input: unknown): Issue[] {
  return withSemantics(checkSchema(flagSchema, input), input, semanticIssues);
}

function semanticIssues(flag: Flag): Issue[] {
  const issues: Issue[] = [];
  const count = flag.variations.length;

  const checkIndex = (index: number | undefined, path: string) => {
    if (index !== undefined && index >= count) {
      issues.push({
        path,
        code: 'unknown_variation',
        message: `variation ${index} does not exist (the flag has ${count})`,
      });
    }
  };

  const isOfKind = KIND_CHECKS[flag.kind];
  flag.variations.forEach((v, i) => {
    if (!isOfKind(v.value)) {
      issues.push({
        path: `/variations/${i}/value`,
        code: 'wrong_type',
        message: `must be a ${flag.kind} for a ${flag.kind} flag`,
      });
    }
  });
  if (flag.kind === 'boolean' && count !== 2) {
    issues.push({ path: '/variations', code: 'invalid_value', message: 'a boolean flag has exactly two variations' });
  }
  const seen = new Map<string, number>();
  flag.variations.forEach((v, i) => {
    const id = JSON.stringify(v.value);
    if (seen.has(id))
      issues.push({
        path: `/variations/${i}/value`,
        code: 'duplicate',
        message: `same value as variation ${seen.get(id)}`,
      });
    else seen.set(id, i);
  });

  checkIndex(flag.offVariation, '/offVariation');
  checkServe(flag.fallthrough, '/fallthrough', checkIndex, issues);

  const ruleIds = new Map<string, number>();
  (flag.rules ?? []).forEach((rule, i) => {
    const path = `/rules/${i}`;
    const earlier = ruleIds.get(rule.id);
    if (earlier !== undefined) {
      issues.push({
        path: `${path}/id`,
        code: 'duplicate',
        message: `rule id "${rule.id}" is also used by rule ${earlier}`,
      });
    } else ruleIds.set(rule.id, i);
    checkClauses(rule.clauses, `${path}/clauses`, issues);
    checkServe(rule.serve, `${path}/serve`, checkIndex, issues);
  });

  const targeted = new Map<string, string>();
  (flag.targets ?? []).forEach((t, i) => {
    checkIndex(t.variation, `/targets/${i}/variation`);
    checkKind(t.contextKind, `/targets/${i}/contextKind`, issues);
    t.values.forEach((key, j) => {
      const id = `${t.contextKind ?? 'user'}\u0000${key}`;
      const first = targeted.get(id);
      if (first !== undefined) {
        issues.push({
          path: `/targets/${i}/values/${j}`,
          code: 'duplicate',
          message: `"${key}" is already targeted at ${first}`,
        });
      } else targeted.set(id, `/targets/${i}/values/${j}`);
    });
  });

  (flag.prerequisites ?? []).forEach((p, i) => {
    if (p.key === flag.key) {
      issues.push({
        path: `/prerequisites/${i}/key`,
        code: 'prerequisite_cycle',
        message: 'a flag cannot be its own prerequisite',
      });
    }
  });
  return issues;
}

function checkServe(
  serve: Serve,
  path: string,
  checkIndex: (i: number | undefined, path: string) => void,
  issues: Issue[],
): void {
  const hasVariation = serve.variation !== undefined;
  const rollout = serve.rollout;
  if (hasVariation === (rollout !== undefined)) {
    issues.push({ path, code: 'invalid_serve', message: 'must have exactly one of variation or rollout' });
    return;
  }
  checkIndex(serve.variation, pointer(path, 'variation'));
  if (!rollout) return;
  const rpath = pointer(path, 'rollout');
  let sum = 0;
  rollout.variations.forEach((w, i) => {
    checkIndex(w.variation, `${rpath}/variations/${i}/variation`);
    sum += w.weight;
  });
  if ((rollout.hash ?? 'vexil') === 'vexil' && sum !== WEIGHT_TOTAL) {
    issues.push({
      path: `${rpath}/variations`,
      code: 'weights_sum',
      message: `weights must add up to ${WEIGHT_TOTAL} (100%), they add up to ${sum}`,
    });
  }
  if (rollout.hash === 'unleash' && sum <= 0) {
    issues.push({ path: `${rpath}/variations`, code: 'weights_sum', message: 'weights must add up to more than 0' });
  }
  checkKind(rollout.contextKind, `${rpath}/contextKind`, issues);
}
