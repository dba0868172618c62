/**
 * An Unleash segment (a reusable list of constraints, all of which must hold) as a Vexil segment
 * `unleash-segment-<id>` with one rule (more only when a constraint needs an OR, see
 * conditions.ts). Strategies refer to it with `segmentMatch`.
 */
import type { Segment } from '../model/segment.js';
import { pointer } from '../schema/check.js';
import { and, type Dnf, MAX_ALTERNATIVES, never, single, TRUE } from './conditions.js';
import { isObject } from './guards.js';
import { translateConstraint } from './translate-constraint.js';
import { isFlagKey, TRANSLATED_VERSION } from './translate-feature.js';
import type { Warn } from './types.js';

export const segmentKey = (id: string) => `unleash-segment-${id}`;

export function translateSegment(
  input: unknown,
  path: string,
  warn: Warn,
): { id: string; segment: Segment } | undefined {
  if (!isObject(input) || (typeof input.id !== 'number' && typeof input.id !== 'string')) {
    warn(path, 'not a segment with an id: skipped');
    return undefined;
  }
  const id = String(input.id);
  const key = segmentKey(id);
  if (!isFlagKey(key)) {
    warn(pointer(path, 'id'), `segment id ${JSON.stringify(input.id)} cannot be part of a Vexil key: skipped`);
    return undefined;
  }
  const at = pointer(path, 'constraints');
  let dnf: Dnf = TRUE;
  if (Array.isArray(input.constraints)) {
    dnf = and(...input.constraints.map((c: unknown, i) => translateConstraint(c, pointer(at, i), warn)));
  } else if (input.constraints !== undefined && input.constraints !== null) {
    warn(at, 'constraints is not a list: the segment matches nothing');
    dnf = single(never());
  }
  if (dnf.length > MAX_ALTERNATIVES) {
    warn(at, `the constraints expand to more than ${MAX_ALTERNATIVES} alternatives: the segment matches nothing`);
    dnf = single(never());
  }
  const name = typeof input.name === 'string' && input.name !== '' ? input.name.slice(0, 1024) : undefined;
  const rules = dnf.map((clauses, i) =>
    name === undefined ? { id: `r${i}`, clauses } : { id: `r${i}`, description: name, clauses },
  );
  return { id, segment: { key, version: TRANSLATED_VERSION, rules } };
}
