import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WriteContext } from '../../changes/mutation.js';
import { invalidField } from '../../errors/errors.js';
import { experimentResults, type ResultsQuery, resultsQuery } from '../../experiments/experiment-results.js';
import {
  type CreateFlagBody,
  createFlagBody,
  type FlagListQuery,
  flagListQuery,
  type PatchFlagConfigBody,
  type PutFlagConfigBody,
  patchFlagConfigBody,
  putFlagConfigBody,
  type UpdateFlagBody,
  updateFlagBody,
} from '../../flags/flag-schemas.js';
import { type FlagService, parseIfMatch } from '../../flags/flag-service.js';
import { type ConfigRow, type FlagDefinition, listFlags } from '../../flags/flag-store.js';
import type { SqlClient } from '../../infra/sql/client.js';
import type { ProjectService } from '../../projects/project-service.js';
import type { Project } from '../../projects/project-store.js';
import { type Environment, listEnvironments } from '../../projects/project-store.js';
import { requireRole, withEtag, writeContext } from '../request-context.js';
import { decodeCursor, encodeCursor, flagEnvParams, flagParams, projectParams } from './params.js';

type P = { project: string };
type F = { project: string; flag: string };
type FE = { project: string; flag: string; environment: string };

const present = (flag: FlagDefinition, configs: ConfigRow[], envs: Environment[]) => ({
  ...flag,
  archived: flag.archivedAt !== null,
  environments: Object.fromEntries(
    envs.flatMap((e) => {
      const c = configs.find((x) => x.environmentId === e.id);
      return c ? [[e.key, { ...c.config, version: c.version, updatedAt: c.updatedAt }]] : [];
    }),
  ),
});

export function flagRoutes(
  app: FastifyInstance,
  { db, projects, flags }: { db: SqlClient; projects: ProjectService; flags: FlagService },
) {
  const tags = ['flags'];

  app.get<{ Params: P; Querystring: FlagListQuery }>(
    '/api/v1/projects/:project/flags',
    {
      schema: {
        tags,
        summary: 'List flags: search by key or name, filter by tag and state, paginate with cursor',
        params: projectParams,
        querystring: flagListQuery,
      },
    },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'viewer', { projectId: project.id });
      const limit = Math.min(100, Math.max(1, Number(req.query.limit ?? 50)));
      const rows = await listFlags(db, project.id, {
        q: req.query.q,
        tag: req.query.tag,
        state: req.query.state ?? 'active',
        after: decodeCursor(req.query.cursor),
        limit: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.key) : null };
    },
  );

  app.post<{ Params: P; Body: CreateFlagBody }>(
    '/api/v1/projects/:project/flags',
    {
      schema: { tags, summary: 'Create a flag: off in every environment', params: projectParams, body: createFlagBody },
    },
    async (req, reply) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'editor', { projectId: project.id });
      const flag = await flags.create(writeContext(req, req.body.comment), project, req.body);
      return reply.status(201).send(present(flag, await flags.configs(flag), await listEnvironments(db, project.id)));
    },
  );

  app.get<{ Params: F }>(
    '/api/v1/projects/:project/flags/:flag',
    { schema: { tags, summary: 'Get a flag with its configuration in every environment', params: flagParams } },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'viewer', { projectId: project.id });
      const flag = await flags.get(project, req.params.flag);
      return present(flag, await flags.configs(flag), await listEnvironments(db, project.id));
    },
  );

  app.patch<{ Params: F; Body: UpdateFlagBody }>(
    '/api/v1/projects/:project/flags/:flag',
    {
      schema: {
        tags,
        summary: 'Update name, description, variations, tags, lifetime, maintainer, visibility',
        params: flagParams,
        body: updateFlagBody,
      },
    },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'editor', { projectId: project.id });
      const flag = await flags.update(writeContext(req, req.body.comment), project, req.params.flag, req.body);
      return present(flag, await flags.configs(flag), await listEnvironments(db, project.id));
    },
  );

  for (const [action, archived] of [
    ['archive', true],
    ['restore', false],
  ] as const) {
    app.post<{ Params: F; Body: { comment?: string } | undefined }>(
      `/api/v1/projects/:project/flags/:flag/${action}`,
      {
        schema: {
          tags,
          summary: archived ? 'Archive a flag: SDKs stop receiving it' : 'Restore an archived flag',
          params: flagParams,
        },
      },
      async (req) => {
        const project = await projects.get(req.params.project);
        requireRole(req, 'editor', { projectId: project.id });
        const comment = typeof req.body?.comment === 'string' ? req.body.comment : undefined;
        return flags.setArchived(writeContext(req, comment), project, req.params.flag, archived);
      },
    );
  }

  app.delete<{ Params: F }>(
    '/api/v1/projects/:project/flags/:flag',
    { schema: { tags, summary: 'Delete an archived flag', params: flagParams } },
    async (req, reply) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'editor', { projectId: project.id });
      await flags.remove(writeContext(req), project, req.params.flag);
      return reply.status(204).send();
    },
  );

  const envTags = ['flag targeting'];
  const resolve = async (params: FE) => {
    const project = await projects.get(params.project);
    const env = await projects.environment(project, params.environment);
    return { project, env };
  };

  /** PUT and PATCH of targeting: resolve, authorize for the environment, honour If-Match, answer with the new ETag. */
  const writeTargeting = async <B extends { comment?: string | undefined }>(
    req: FastifyRequest<{ Params: FE }>,
    reply: FastifyReply,
    body: B,
    write: (
      ctx: WriteContext,
      project: Project,
      key: string,
      env: Environment,
      body: B,
      ifMatch: number | undefined,
    ) => Promise<{ config: ConfigRow }>,
  ) => {
    const { project, env } = await resolve(req.params);
    requireRole(req, 'editor', { projectId: project.id, environmentId: env.id });
    const ifMatch = parseIfMatch(req.headers['if-match']);
    const { config } = await write(writeContext(req, body.comment), project, req.params.flag, env, body, ifMatch);
    withEtag(reply, config.version);
    return { ...config.config, version: config.version, updatedAt: config.updatedAt };
  };

  app.get<{ Params: FE; Querystring: ResultsQuery }>(
    '/api/v1/projects/:project/flags/:flag/environments/:environment/results',
    {
      schema: {
        tags: envTags,
        summary:
          'Experiment results of a flag in one environment: units, conversions, comparison with control, sample ratio',
        params: flagEnvParams,
        querystring: resultsQuery,
      },
    },
    async (req) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'viewer', { projectId: project.id });
      const { flag, config } = await flags.config(project, req.params.flag, env);
      const control = Number(req.query.control ?? 0);
      if (control >= flag.variations.length)
        throw invalidField('/query/control', 'out_of_range', `the flag has ${flag.variations.length} variations`);
      return experimentResults(db, env.id, flag, config.config, req.query);
    },
  );

  app.get<{ Params: FE }>(
    '/api/v1/projects/:project/flags/:flag/environments/:environment',
    {
      schema: {
        tags: envTags,
        summary: "Get a flag's targeting in one environment (ETag for If-Match)",
        params: flagEnvParams,
      },
    },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'viewer', { projectId: project.id });
      const { config } = await flags.config(project, req.params.flag, env);
      withEtag(reply, config.version);
      return { ...config.config, version: config.version, updatedAt: config.updatedAt };
    },
  );

  app.put<{ Params: FE; Body: PutFlagConfigBody }>(
    '/api/v1/projects/:project/flags/:flag/environments/:environment',
    {
      schema: {
        tags: envTags,
        summary: "Replace a flag's targeting in one environment; send If-Match to refuse stale writes",
        params: flagEnvParams,
        body: putFlagConfigBody,
      },
    },
    (req, reply) => writeTargeting(req, reply, req.body, flags.putConfig.bind(flags)),
  );

  app.patch<{ Params: FE; Body: PatchFlagConfigBody }>(
    '/api/v1/projects/:project/flags/:flag/environments/:environment',
    {
      schema: {
        tags: envTags,
        summary:
          'Change targeting with semantic instructions (turnFlagOn, addRule, setFallthrough, addTargets, copyFromEnvironment, …)',
        params: flagEnvParams,
        body: patchFlagConfigBody,
      },
    },
    (req, reply) => writeTargeting(req, reply, req.body, flags.patchConfig.bind(flags)),
  );
}
