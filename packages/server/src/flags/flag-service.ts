import { type Issue, type Variation, validateFlag } from '@vexil/core';
import type { CommitListener, WriteContext } from '../changes/mutation.js';
import { mutate, newId } from '../changes/mutation.js';
import { AppError, conflict, invalid, invalidField, notFound } from '../errors/errors.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import { UniqueViolationError } from '../infra/sql/errors.js';
import { type Environment, findEnvironment, listEnvironments, type Project } from '../projects/project-store.js';
import type {
  CreateFlagBody,
  FlagConfig,
  PatchFlagConfigBody,
  PutFlagConfigBody,
  UpdateFlagBody,
} from './flag-schemas.js';
import {
  bumpConfigVersions,
  type ConfigRow,
  deleteFlag,
  evaluable,
  type FlagDefinition,
  findConfig,
  findFlag,
  insertConfig,
  insertFlag,
  listConfigs,
  updateFlag,
  writeConfig,
} from './flag-store.js';
import { assertEvaluable, evaluableIssues } from './flag-validation.js';
import { applyInstructions } from './instructions.js';

export interface FlagServiceDeps {
  db: SqlClient;
  onCommit?: CommitListener;
}

const BOOLEAN_VARIATIONS: Variation[] = [
  { value: true, name: 'on' },
  { value: false, name: 'off' },
];

/** The configuration a new flag gets in every environment: off, serving `onVariation` once turned on. */
const initialConfig = (onVariation: number, offVariation: number): FlagConfig => ({
  on: false,
  offVariation,
  fallthrough: { variation: onVariation },
  targets: [],
  rules: [],
  prerequisites: [],
});

export const etagOf = (version: number) => `"${version}"`;

/** Parses If-Match; undefined when absent or `*`. A malformed header is a validation error, never ignored. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!m) throw invalidField('/headers/if-match', 'invalid_format', 'must be an ETag this API returned, such as "3"');
  return Number(m[1]);
}

export class FlagService {
  constructor(private readonly deps: FlagServiceDeps) {}

  private mutate<T>(ctx: WriteContext, fn: Parameters<typeof mutate<T>>[2]) {
    return mutate(this.deps.db, ctx, fn, this.deps.onCommit);
  }

  async get(project: Project, key: string): Promise<FlagDefinition> {
    const flag = await findFlag(this.deps.db, project.id, key);
    if (!flag) throw notFound(`flag "${key}"`);
    return flag;
  }

  async configs(flag: FlagDefinition): Promise<ConfigRow[]> {
    return listConfigs(this.deps.db, flag.id);
  }

  async create(ctx: WriteContext, project: Project, body: CreateFlagBody): Promise<FlagDefinition> {
    const kind = body.kind ?? 'boolean';
    const variations = body.variations ?? (kind === 'boolean' ? BOOLEAN_VARIATIONS : undefined);
    if (!variations) throw invalidField('/variations', 'required', `is required for a ${kind} flag`);
    const onVariation = body.defaults?.onVariation ?? 0;
    const offVariation = body.defaults?.offVariation ?? (variations.length > 1 ? variations.length - 1 : 0);
    const config = initialConfig(onVariation, offVariation);
    const def = {
      id: newId(),
      projectId: project.id,
      key: body.key,
      name: body.name,
      description: body.description ?? '',
      kind,
      variations,
      tags: body.tags ?? [],
      temporary: body.temporary ?? true,
      maintainer: body.maintainer ?? null,
      clientVisible: body.clientVisible ?? false,
    };
    const issues = validateFlag(
      evaluable(
        { ...def, archivedAt: null, createdAt: '', updatedAt: '' },
        { flagId: '', environmentId: '', config, version: 1, updatedAt: '' },
      ),
    );
    if (issues.length > 0) throw invalid(issues);
    try {
      return await this.mutate(ctx, async (tx, record) => {
        const flag = await insertFlag(tx, def);
        for (const env of await listEnvironments(tx, project.id)) {
          const cfg = await insertConfig(tx, flag.id, env.id, config);
          record.change({
            environmentId: env.id,
            entity: 'flag',
            key: flag.key,
            op: 'put',
            payload: evaluable(flag, cfg),
          });
        }
        record.audit({
          projectId: project.id,
          action: 'flag.create',
          resourceType: 'flag',
          resourceKey: flag.key,
          after: flag,
        });
        return flag;
      });
    } catch (err) {
      if (err instanceof UniqueViolationError)
        throw conflict(`flag "${body.key}" already exists in project "${project.key}"`);
      throw err;
    }
  }

  async update(ctx: WriteContext, project: Project, key: string, body: UpdateFlagBody): Promise<FlagDefinition> {
    return this.mutate(ctx, async (tx, record) => {
      const before = await this.locked(tx, project, key);
      const next: FlagDefinition = {
        ...before,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.variations === undefined ? {} : { variations: body.variations }),
        ...(body.tags === undefined ? {} : { tags: body.tags }),
        ...(body.temporary === undefined ? {} : { temporary: body.temporary }),
        ...(body.maintainer === undefined ? {} : { maintainer: body.maintainer }),
        ...(body.clientVisible === undefined ? {} : { clientVisible: body.clientVisible }),
      };
      const flag = await updateFlag(tx, next);
      const envs = await listEnvironments(tx, project.id);
      const configs = await bumpConfigVersions(tx, flag.id);
      // New variations must still fit every environment's targeting (indices, types): report them all.
      const issues: Issue[] = [];
      for (const cfg of configs) {
        const env = envs.find((e) => e.id === cfg.environmentId);
        const prefix = `/environments/${env?.key ?? cfg.environmentId}`;
        issues.push(...(await evaluableIssues(tx, cfg.environmentId, evaluable(flag, cfg), prefix)));
        if (!flag.archivedAt) {
          record.change({
            environmentId: cfg.environmentId,
            entity: 'flag',
            key,
            op: 'put',
            payload: evaluable(flag, cfg),
          });
        }
      }
      if (issues.length > 0) throw invalid(issues);
      record.audit({
        projectId: project.id,
        action: 'flag.update',
        resourceType: 'flag',
        resourceKey: key,
        before,
        after: flag,
      });
      return flag;
    });
  }

  /** Archived flags are no longer served (SDKs get a delete) but keep their configuration for a restore. */
  async setArchived(ctx: WriteContext, project: Project, key: string, archived: boolean): Promise<FlagDefinition> {
    return this.mutate(ctx, async (tx, record) => {
      const before = await this.locked(tx, project, key);
      if (Boolean(before.archivedAt) === archived)
        throw conflict(`flag "${key}" is ${archived ? 'already' : 'not'} archived`);
      if (archived) await this.assertNotPrerequisite(tx, project, key);
      const flag = await updateFlag(tx, { ...before, archivedAt: archived ? new Date().toISOString() : null });
      for (const cfg of await bumpConfigVersions(tx, flag.id)) {
        record.change(
          archived
            ? { environmentId: cfg.environmentId, entity: 'flag', key, op: 'delete' }
            : { environmentId: cfg.environmentId, entity: 'flag', key, op: 'put', payload: evaluable(flag, cfg) },
        );
      }
      record.audit({
        projectId: project.id,
        action: archived ? 'flag.archive' : 'flag.restore',
        resourceType: 'flag',
        resourceKey: key,
        before,
        after: flag,
      });
      return flag;
    });
  }

  async remove(ctx: WriteContext, project: Project, key: string): Promise<void> {
    await this.mutate(ctx, async (tx, record) => {
      const before = await this.locked(tx, project, key);
      if (!before.archivedAt) throw conflict(`flag "${key}" must be archived before it is deleted`);
      await deleteFlag(tx, before.id);
      record.audit({ projectId: project.id, action: 'flag.delete', resourceType: 'flag', resourceKey: key, before });
    });
  }

  async config(project: Project, key: string, env: Environment): Promise<{ flag: FlagDefinition; config: ConfigRow }> {
    const flag = await this.get(project, key);
    const config = await findConfig(this.deps.db, flag.id, env.id);
    if (!config) throw notFound(`configuration of "${key}" in "${env.key}"`);
    return { flag, config };
  }

  async putConfig(
    ctx: WriteContext,
    project: Project,
    key: string,
    env: Environment,
    body: PutFlagConfigBody,
    ifMatch?: number,
  ) {
    const { comment: _comment, ...config } = body;
    return this.writeConfig(ctx, project, key, env, ifMatch, () => config);
  }

  async patchConfig(
    ctx: WriteContext,
    project: Project,
    key: string,
    env: Environment,
    body: PatchFlagConfigBody,
    ifMatch?: number,
  ) {
    // Configurations of other environments, for copyFromEnvironment, read before the transaction.
    const sources = new Map<string, FlagConfig>();
    for (const ins of body.instructions) {
      if (ins.kind !== 'copyFromEnvironment' || sources.has(ins.environment)) continue;
      const other = await findEnvironment(this.deps.db, project.id, ins.environment);
      const flag = other && (await findFlag(this.deps.db, project.id, key));
      const cfg = other && flag && (await findConfig(this.deps.db, flag.id, other.id));
      if (cfg) sources.set(ins.environment, cfg.config);
    }
    return this.writeConfig(ctx, project, key, env, ifMatch, (current) =>
      applyInstructions(current, body.instructions, (k) => sources.get(k)),
    );
  }

  private async writeConfig(
    ctx: WriteContext,
    project: Project,
    key: string,
    env: Environment,
    ifMatch: number | undefined,
    change: (current: FlagConfig) => FlagConfig,
  ): Promise<{ flag: FlagDefinition; config: ConfigRow }> {
    return this.mutate(ctx, async (tx, record) => {
      const flag = await findFlag(tx, project.id, key);
      if (!flag) throw notFound(`flag "${key}"`);
      const current = await findConfig(tx, flag.id, env.id, true);
      if (!current) throw notFound(`configuration of "${key}" in "${env.key}"`);
      if (ifMatch !== undefined && current.version !== ifMatch) {
        throw new AppError('precondition_failed', `the configuration is at version ${current.version}, not ${ifMatch}`);
      }
      const next = change(current.config);
      await assertEvaluable(tx, env.id, evaluable(flag, { ...current, config: next }));
      const written = await writeConfig(tx, flag.id, env.id, next, current.version);
      if (!written) throw new AppError('precondition_failed');
      if (!flag.archivedAt)
        record.change({ environmentId: env.id, entity: 'flag', key, op: 'put', payload: evaluable(flag, written) });
      record.audit({
        projectId: project.id,
        action: 'flag.config.update',
        resourceType: 'flag',
        resourceKey: key,
        environmentKey: env.key,
        before: current.config,
        after: written.config,
      });
      return { flag, config: written };
    });
  }

  private async locked(tx: Sql, project: Project, key: string): Promise<FlagDefinition> {
    const flag = await findFlag(tx, project.id, key, true);
    if (!flag) throw notFound(`flag "${key}"`);
    return flag;
  }

  private async assertNotPrerequisite(tx: Sql, project: Project, key: string): Promise<void> {
    const rows = await tx.query<{ key: string }>(
      `SELECT DISTINCT f.key FROM flags f JOIN flag_configs c ON c.flag_id = f.id
       WHERE f.project_id = $1 AND f.archived_at IS NULL AND c.config->'prerequisites' @> $2::jsonb`,
      [project.id, JSON.stringify([{ key }])],
    );
    if (rows.length > 0)
      throw conflict(`flag "${key}" is a prerequisite of ${rows.map((r) => `"${r.key}"`).join(', ')}`);
  }
}
