import { type CommitListener, mutate, newId, type WriteContext } from '../changes/mutation.js';
import { createDefaultSdkKeys } from '../credentials/sdk-key-service.js';
import { readSnapshot } from '../dataplane/load-snapshot.js';
import { conflict, notFound } from '../errors/errors.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import { UniqueViolationError } from '../infra/sql/errors.js';
import type {
  CreateEnvironmentBody,
  CreateProjectBody,
  UpdateEnvironmentBody,
  UpdateProjectBody,
} from './project-schemas.js';
import {
  deleteEnvironment,
  deleteProject,
  type Environment,
  findEnvironment,
  findProject,
  insertEnvironment,
  insertProject,
  listEnvironments,
  type Project,
  updateEnvironment,
  updateProject,
} from './project-store.js';

const DEFAULT_ENVIRONMENTS = [
  { key: 'production', name: 'Production', color: '#d64545' },
  { key: 'staging', name: 'Staging', color: '#3a7bd5' },
];

export class ProjectService {
  constructor(
    private readonly deps: {
      db: SqlClient;
      onCommit?: CommitListener;
      /** An environment's settings were committed: stream nodes must stop using their copy. */
      onSettingsChanged?: (environmentId: string) => void;
    },
  ) {}

  async get(key: string): Promise<Project> {
    const p = await findProject(this.deps.db, key);
    if (!p) throw notFound(`project "${key}"`);
    return p;
  }

  async environment(project: Project, key: string): Promise<Environment> {
    const e = await findEnvironment(this.deps.db, project.id, key);
    if (!e) throw notFound(`environment "${key}" in project "${project.key}"`);
    return e;
  }

  async create(ctx: WriteContext, body: CreateProjectBody): Promise<{ project: Project; environments: Environment[] }> {
    try {
      return await mutate(this.deps.db, ctx, async (tx, record) => {
        const project = await insertProject(tx, {
          id: newId(),
          key: body.key,
          name: body.name,
          description: body.description ?? '',
        });
        const environments: Environment[] = [];
        for (const [i, e] of (body.environments ?? DEFAULT_ENVIRONMENTS).entries()) {
          environments.push(
            await insertEnvironment(tx, {
              id: newId(),
              projectId: project.id,
              key: e.key,
              name: e.name,
              color: e.color ?? '#888888',
              sortOrder: i,
              allowedOrigins: [],
            }),
          );
        }
        record.audit({
          projectId: project.id,
          action: 'project.create',
          resourceType: 'project',
          resourceKey: project.key,
          after: { ...project, environments: environments.map((e) => e.key) },
        });
        await createDefaultSdkKeys(tx, record, project, environments);
        return { project, environments };
      });
    } catch (err) {
      if (err instanceof UniqueViolationError)
        throw conflict(`project "${body.key}" already exists, or two environments share a key`);
      throw err;
    }
  }

  async update(ctx: WriteContext, project: Project, body: UpdateProjectBody): Promise<Project> {
    return mutate(this.deps.db, ctx, async (tx, record) => {
      const after = await updateProject(tx, project.id, {
        name: body.name ?? project.name,
        description: body.description ?? project.description,
      });
      record.audit({
        projectId: project.id,
        action: 'project.update',
        resourceType: 'project',
        resourceKey: project.key,
        before: project,
        after,
      });
      return after;
    });
  }

  async remove(ctx: WriteContext, project: Project): Promise<void> {
    await mutate(this.deps.db, ctx, async (tx, record) => {
      await deleteProject(tx, project.id);
      record.audit({
        projectId: project.id,
        action: 'project.delete',
        resourceType: 'project',
        resourceKey: project.key,
        before: project,
      });
    });
  }

  /** A new environment gets every flag, off; or, with cloneFrom, a copy of that environment's configurations and segments. */
  async createEnvironment(ctx: WriteContext, project: Project, body: CreateEnvironmentBody): Promise<Environment> {
    const source = body.cloneFrom === undefined ? undefined : await this.environment(project, body.cloneFrom);
    try {
      return await mutate(
        this.deps.db,
        ctx,
        async (tx, record) => {
          const existing = await listEnvironments(tx, project.id);
          const env = await insertEnvironment(tx, {
            id: newId(),
            projectId: project.id,
            key: body.key,
            name: body.name,
            color: body.color ?? source?.color ?? '#888888',
            sortOrder: body.sortOrder ?? existing.length,
            allowedOrigins: body.allowedOrigins ?? source?.allowedOrigins ?? [],
          });
          await this.seedEnvironment(tx, project, env, source, record);
          await createDefaultSdkKeys(tx, record, project, [env]);
          record.audit({
            projectId: project.id,
            action: 'environment.create',
            resourceType: 'environment',
            resourceKey: env.key,
            environmentKey: env.key,
            after: { ...env, clonedFrom: source?.key ?? null },
          });
          return env;
        },
        this.deps.onCommit,
      );
    } catch (err) {
      if (err instanceof UniqueViolationError)
        throw conflict(`environment "${body.key}" already exists in project "${project.key}"`);
      throw err;
    }
  }

  private async seedEnvironment(
    tx: Sql,
    project: Project,
    env: Environment,
    source: Environment | undefined,
    record: Parameters<Parameters<typeof mutate>[2]>[1],
  ) {
    if (source) {
      await tx.query(
        `INSERT INTO segments (id, environment_id, key, name, description, tags, config)
         SELECT gen_random_uuid()::text, $2, key, name, description, tags, config FROM segments WHERE environment_id = $1`,
        [source.id, env.id],
      );
      await tx.query(
        'INSERT INTO flag_configs (flag_id, environment_id, config) SELECT flag_id, $2, config FROM flag_configs WHERE environment_id = $1',
        [source.id, env.id],
      );
    } else {
      await tx.query(
        `INSERT INTO flag_configs (flag_id, environment_id, config)
         SELECT id, $2, jsonb_build_object('on', false, 'offVariation', jsonb_array_length(variations) - 1,
           'fallthrough', jsonb_build_object('variation', 0), 'targets', '[]'::jsonb, 'rules', '[]'::jsonb, 'prerequisites', '[]'::jsonb)
         FROM flags WHERE project_id = $1`,
        [project.id, env.id],
      );
    }
    // Stream nodes learn the new environment's state like any other change: one put per flag and segment.
    const snapshot = await readSnapshot(tx, env.id);
    for (const [key, payload] of Object.entries(snapshot?.segments ?? {})) {
      record.change({ environmentId: env.id, entity: 'segment', key, op: 'put', payload });
    }
    for (const [key, payload] of Object.entries(snapshot?.flags ?? {})) {
      record.change({ environmentId: env.id, entity: 'flag', key, op: 'put', payload });
    }
  }

  async updateEnvironment(
    ctx: WriteContext,
    project: Project,
    env: Environment,
    body: UpdateEnvironmentBody,
  ): Promise<Environment> {
    const updated = await mutate(this.deps.db, ctx, async (tx, record) => {
      const after = await updateEnvironment(tx, env.id, {
        name: body.name ?? env.name,
        color: body.color ?? env.color,
        sortOrder: body.sortOrder ?? env.sortOrder,
        allowedOrigins: body.allowedOrigins ?? env.allowedOrigins,
      });
      record.audit({
        projectId: project.id,
        action: 'environment.update',
        resourceType: 'environment',
        resourceKey: env.key,
        environmentKey: env.key,
        before: env,
        after,
      });
      return after;
    });
    if (body.allowedOrigins !== undefined) this.deps.onSettingsChanged?.(env.id);
    return updated;
  }

  async removeEnvironment(ctx: WriteContext, project: Project, env: Environment): Promise<void> {
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const remaining = await listEnvironments(tx, project.id);
      if (remaining.length <= 1) throw conflict('a project keeps at least one environment');
      await deleteEnvironment(tx, env.id);
      record.audit({
        projectId: project.id,
        action: 'environment.delete',
        resourceType: 'environment',
        resourceKey: env.key,
        environmentKey: env.key,
        before: env,
      });
    });
  }
}
