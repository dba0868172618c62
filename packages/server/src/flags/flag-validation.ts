import { type Flag, findCycles, type Issue, validateFlag } from '@vexil/core';
import { invalid } from '../errors/errors.js';
import type { Sql } from '../infra/sql/client.js';
import { listSegments } from '../segments/segment-store.js';
import { prerequisiteGraph } from './flag-store.js';

/** Throws validation_failed with every issue `evaluableIssues` finds. */
export async function assertEvaluable(sql: Sql, environmentId: string, flag: Flag, pathPrefix = ''): Promise<void> {
  const issues = await evaluableIssues(sql, environmentId, flag, pathPrefix);
  if (issues.length > 0) throw invalid(issues);
}

/**
 * What is wrong with what an environment would evaluate after a write: the flag on its own
 * (through @vexil/core), then against the environment: prerequisites exist, name real
 * variations and form no cycle; segments exist.
 */
export async function evaluableIssues(sql: Sql, environmentId: string, flag: Flag, pathPrefix = ''): Promise<Issue[]> {
  const issues: Issue[] = validateFlag(flag).map((i) => ({ ...i, path: pathPrefix + i.path }));
  if (issues.length > 0) return issues;

  const prereqs = flag.prerequisites ?? [];
  const refs = (flag.rules ?? []).flatMap((r, i) =>
    r.clauses.flatMap((c, j) =>
      c.op === 'segmentMatch'
        ? c.values.map((v, k) => ({ key: String(v), path: `/rules/${i}/clauses/${j}/values/${k}` }))
        : [],
    ),
  );
  if (prereqs.length > 0) {
    const graph = await prerequisiteGraph(sql, environmentId);
    prereqs.forEach((p, i) => {
      const other = graph.get(p.key);
      if (!other)
        issues.push({
          path: `${pathPrefix}/prerequisites/${i}/key`,
          code: 'unknown_flag',
          message: `no active flag "${p.key}"`,
        });
      else if (p.variation >= other.variations) {
        issues.push({
          path: `${pathPrefix}/prerequisites/${i}/variation`,
          code: 'unknown_variation',
          message: `"${p.key}" has no variation ${p.variation}`,
        });
      }
    });
    graph.set(flag.key, { key: flag.key, variations: flag.variations.length, prerequisites: prereqs });
    const cycles = findCycles(graph, (n) => n.prerequisites.map((p) => p.key)).filter((c) => c.includes(flag.key));
    for (const cycle of cycles) {
      issues.push({
        path: `${pathPrefix}/prerequisites`,
        code: 'prerequisite_cycle',
        message: `prerequisites form a cycle: ${cycle.join(' → ')}`,
      });
    }
  }
  if (refs.length > 0) {
    const known = new Set((await listSegments(sql, environmentId)).map((s) => s.key));
    for (const r of refs) {
      if (!known.has(r.key))
        issues.push({
          path: pathPrefix + r.path,
          code: 'unknown_segment',
          message: `no segment "${r.key}" in this environment`,
        });
    }
  }
  return issues;
}
