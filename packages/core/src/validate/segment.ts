import { type Segment, segmentSchema } from '../model/segment.js';
import { type Issue, checkSchema } from '../schema/check.js';
import { checkClauses } from './clauses.js';

/** Every problem with a segment, each with its JSON Pointer path; empty when valid. */
export function validateSegment(input: unknown): Issue[] {
  const issues = checkSchema(segmentSchema, input);
  if (issues.length > 0) return issues;
  const segment = input as Segment;
  const ids = new Set<string>();
  (segment.rules ?? []).forEach((rule, i) => {
    if (ids.has(rule.id)) issues.push({ path: `/rules/${i}/id`, code: 'duplicate', message: `rule id "${rule.id}" is used twice` });
    ids.add(rule.id);
    checkClauses(rule.clauses, `/rules/${i}/clauses`, issues);
  });
  return issues;
}
