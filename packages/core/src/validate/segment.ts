import { type Segment, segmentSchema } from '../model/segment.js';
import { checkSchema, type Issue } from '../schema/check.js';
import { checkClauses, checkKind, withSemantics } from './clauses.js';

/** Every problem with a segment, each with its JSON Pointer path; empty when valid. */
export function validateSegment(input: unknown): Issue[] {
  return withSemantics(checkSchema(segmentSchema, input), input, semanticIssues);
}

function semanticIssues(segment: Segment): Issue[] {
  const issues: Issue[] = [];
  for (const list of ['included', 'excluded'] as const) {
    (segment[list] ?? []).forEach((t, i) => checkKind(t.contextKind, `/${list}/${i}/contextKind`, issues));
  }
  const ids = new Set<string>();
  (segment.rules ?? []).forEach((rule, i) => {
    if (ids.has(rule.id))
      issues.push({ path: `/rules/${i}/id`, code: 'duplicate', message: `rule id "${rule.id}" is used twice` });
    ids.add(rule.id);
    checkClauses(rule.clauses, `/rules/${i}/clauses`, issues);
  });
  return issues;
}
