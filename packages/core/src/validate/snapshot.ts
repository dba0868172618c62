import type { Clause } from '../model/clause.js';
import type { Flag } from '../model/flag.js';
import type { Segment } from '../model/segment.js';
import type { Issue } from '../schema/check.js';
import { validateFlag } from './flag.js';
import { validateSegment } from './segment.js';

export interface Snapshot {
  flags: readonly unknown[];
  segments?: readonly unknown[];
}

/**
 * Validates an environment's flags and segments together: each on its own, then what only the
 * whole shows (duplicate keys, unknown or cyclic prerequisites, unknown or cyclic segments).
 * Paths are prefixed with /flags/N or /segments/N.
 */
export function validateSnapshot(snapshot: Snapshot): Issue[] {
  const issues: Issue[] = [];
  const flags = new Map<string, Flag>();
  const flagIndex = new Map<string, number>();
  snapshot.flags.forEach((f, i) => {
    const own = validateFlag(f);
    for (const issue of own) issues.push({ ...issue, path: `/flags/${i}${issue.path}` });
    if (own.length > 0) return;
    const flag = f as Flag;
    if (flags.has(flag.key))
      issues.push({ path: `/flags/${i}/key`, code: 'duplicate', message: `flag "${flag.key}" appears twice` });
    flags.set(flag.key, flag);
    flagIndex.set(flag.key, i);
  });
  const segments = new Map<string, Segment>();
  const segmentIndex = new Map<string, number>();
  (snapshot.segments ?? []).forEach((s, i) => {
    const own = validateSegment(s);
    for (const issue of own) issues.push({ ...issue, path: `/segments/${i}${issue.path}` });
    if (own.length > 0) return;
    const segment = s as Segment;
    if (segments.has(segment.key))
      issues.push({ path: `/segments/${i}/key`, code: 'duplicate', message: `segment "${segment.key}" appears twice` });
    segments.set(segment.key, segment);
    segmentIndex.set(segment.key, i);
  });

  for (const [key, flag] of flags) {
    const base = `/flags/${flagIndex.get(key)}`;
    (flag.prerequisites ?? []).forEach((p, i) => {
      const pre = flags.get(p.key);
      if (!pre)
        issues.push({ path: `${base}/prerequisites/${i}/key`, code: 'unknown_flag', message: `no flag "${p.key}"` });
      else if (p.variation >= pre.variations.length) {
        issues.push({
          path: `${base}/prerequisites/${i}/variation`,
          code: 'unknown_variation',
          message: `"${p.key}" has no variation ${p.variation}`,
        });
      }
    });
    (flag.rules ?? []).forEach((r, i) => checkSegmentRefs(r.clauses, `${base}/rules/${i}/clauses`, segments, issues));
  }
  for (const [key, segment] of segments) {
    (segment.rules ?? []).forEach((r, i) =>
      checkSegmentRefs(r.clauses, `/segments/${segmentIndex.get(key)}/rules/${i}/clauses`, segments, issues),
    );
  }

  for (const cycle of findCycles(flags, (f) => (f.prerequisites ?? []).map((p) => p.key))) {
    issues.push({
      path: `/flags/${flagIndex.get(cycle[0] as string)}/prerequisites`,
      code: 'prerequisite_cycle',
      message: `prerequisites form a cycle: ${cycle.join(' → ')}`,
    });
  }
  const segmentRefs = (s: Segment) =>
    (s.rules ?? []).flatMap((r) =>
      r.clauses.filter((c) => c.op === 'segmentMatch').flatMap((c) => c.values.map(String)),
    );
  for (const cycle of findCycles(segments, segmentRefs)) {
    issues.push({
      path: `/segments/${segmentIndex.get(cycle[0] as string)}/rules`,
      code: 'segment_cycle',
      message: `segments form a cycle: ${cycle.join(' → ')}`,
    });
  }
  return issues;
}

function checkSegmentRefs(clauses: readonly Clause[], path: string, segments: Map<string, Segment>, issues: Issue[]) {
  clauses.forEach((c, i) => {
    if (c.op !== 'segmentMatch') return;
    c.values.forEach((v, j) => {
      if (typeof v === 'string' && !segments.has(v)) {
        issues.push({ path: `${path}/${i}/values/${j}`, code: 'unknown_segment', message: `no segment "${v}"` });
      }
    });
  });
}

/** Each cycle once, as the list of keys around it (first key repeated at the end). */
export function findCycles<T>(nodes: Map<string, T>, edges: (node: T) => string[]): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (key: string) => {
    state.set(key, 'visiting');
    stack.push(key);
    const node = nodes.get(key);
    for (const next of node === undefined ? [] : edges(node)) {
      if (!nodes.has(next)) continue;
      const s = state.get(next);
      if (s === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(key, 'done');
  };
  for (const key of nodes.keys()) if (!state.has(key)) visit(key);
  return cycles;
}
