import { validateSegment } from '@vexil/core';
import { type CommitListener, mutate, newId, type WriteContext } from '../changes/mutation.js';
import { AppError, conflict, invalid, notFound } from '../errors/errors.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import { UniqueViolationError } from '../infra/sql/errors.js';
import type { Environment, Project } from '../projects/project-store.js';
import type { CreateSegmentBody, PutSegmentBody } from './segment-schemas.js';
import {
  deleteSegment,
  evaluableSegment,
  findSegment,
  insertSegment,
  listSegments,
  type SegmentConfig,
  type SegmentRow,
  segmentReferrers,
  writeSegment,
} from './segment-store.js';

const configOf = (b: PutSegmentBody): SegmentConfig => ({
  included: b.included ?? [],
  excluded: b.excluded ?? [],
  rules: b.rules ?? [],
});

export class SegmentService {
  constructor(private readonly deps: { db: SqlClient; onCommit?: CommitListener }) {}

  list(env: Environment) {
    return listSegments(this.deps.db, env.id);
  }

  async get(env: Environment, key: string): Promise<SegmentRow> {
    const s = await findSegment(this.deps.db, env.id, key);
    if (!s) throw notFound(`segment "${key}" in "${env.key}"`);
    return s;
  }

  async create(ctx: WriteContext, project: Project, env: Environment, body: CreateSegmentBody): Promise<SegmentRow> {
    const config = configOf(body);
    try {
      return await mutate(
        this.deps.db,
        ctx,
        async (tx, record) => {
          await this.assertValid(tx, env, body.key, config);
          const seg = await insertSegment(tx, {
            id: newId(),
            environmentId: env.id,
            key: body.key,
            name: body.name,
            description: body.description ?? '',
            tags: body.tags ?? [],
            config,
          });
          record.change({
            environmentId: env.id,
            entity: 'segment',
            key: seg.key,
            op: 'put',
            payload: evaluableSegment(seg),
          });
          record.audit({
            projectId: project.id,
            action: 'segment.create',
            resourceType: 'segment',
            resourceKey: seg.key,
            environmentKey: env.key,
            after: seg,
          });
          return seg;
        },
        this.deps.onCommit,
      );
    } catch (err) {
      if (err instanceof UniqueViolationError) throw conflict(`segment "${body.key}" already exists in "${env.key}"`);
      throw err;
    }
  }

  async replace(
    ctx: WriteContext,
    project: Project,
    env: Environment,
    key: string,
    body: PutSegmentBody,
    ifMatch?: number,
  ): Promise<SegmentRow> {
    return mutate(
      this.deps.db,
      ctx,
      async (tx, record) => {
        const before = await findSegment(tx, env.id, key);
        if (!before) throw notFound(`segment "${key}" in "${env.key}"`);
        if (ifMatch !== undefined && ifMatch !== before.version) {
          throw new AppError('precondition_failed', `the segment is at version ${before.version}, not ${ifMatch}`);
        }
        const config = configOf(body);
        await this.assertValid(tx, env, key, config);
        const seg = await writeSegment(
          tx,
          before.id,
          { name: body.name, description: body.description ?? '', tags: body.tags ?? [], config },
          before.version,
        );
        if (!seg) throw new AppError('precondition_failed');
        record.change({ environmentId: env.id, entity: 'segment', key, op: 'put', payload: evaluableSegment(seg) });
        record.audit({
          projectId: project.id,
          action: 'segment.update',
          resourceType: 'segment',
          resourceKey: key,
          environmentKey: env.key,
          before,
          after: seg,
        });
        return seg;
      },
      this.deps.onCommit,
    );
  }

  async remove(ctx: WriteContext, project: Project, env: Environment, key: string): Promise<void> {
    await mutate(
      this.deps.db,
      ctx,
      async (tx, record) => {
        const before = await findSegment(tx, env.id, key);
        if (!before) throw notFound(`segment "${key}" in "${env.key}"`);
        const users = await segmentReferrers(tx, env.id, key);
        if (users.length > 0) throw conflict(`segment "${key}" is used by ${users.join(', ')}`);
        await deleteSegment(tx, before.id);
        record.change({ environmentId: env.id, entity: 'segment', key, op: 'delete' });
        record.audit({
          projectId: project.id,
          action: 'segment.delete',
          resourceType: 'segment',
          resourceKey: key,
          environmentKey: env.key,
          before,
        });
      },
      this.deps.onCommit,
    );
  }

  /** The segment on its own, and against its environment: referenced segments exist and no cycle forms. */
  private async assertValid(tx: Sql, env: Environment, key: string, config: SegmentConfig): Promise<void> {
    const issues = validateSegment({ key, version: 1, ...config });
    if (issues.length > 0) throw invalid(issues);
    const all = new Map((await listSegments(tx, env.id)).map((s) => [s.key, s.config]));
    all.set(key, config);
    const refs = (c: SegmentConfig) =>
      (c.rules ?? []).flatMap((r) =>
        r.clauses.filter((cl) => cl.op === 'segmentMatch').flatMap((cl) => cl.values.map(String)),
      );
    const problems = refs(config)
      .filter((r) => !all.has(r))
      .map((r) => ({ path: '/rules', code: 'unknown_segment', message: `no segment "${r}" in this environment` }));
    const seen = new Set<string>();
    const walk = (k: string, trail: string[]): string[] | undefined => {
      if (trail.includes(k)) return [...trail, k];
      if (seen.has(k)) return undefined;
      seen.add(k);
      const c = all.get(k);
      for (const next of c ? refs(c) : []) {
        const cycle = walk(next, [...trail, k]);
        if (cycle) return cycle;
      }
      return undefined;
    };
    const cycle = walk(key, []);
    if (cycle)
      problems.push({ path: '/rules', code: 'segment_cycle', message: `segments form a cycle: ${cycle.join(' → ')}` });
    if (problems.length > 0) throw invalid(problems);
  }
}
