import type { FastifyInstance } from 'fastify';
import {
  type CreateSdkKeyBody,
  type CredentialListQuery,
  createSdkKeyBody,
  credentialListQuery,
  type RotateSdkKeyBody,
  rotateSdkKeyBody,
  sdkKeyParams,
} from '../../credentials/credential-schemas.js';
import type { SdkKeyService } from '../../credentials/sdk-key-service.js';
import type { ProjectService } from '../../projects/project-service.js';
import { optionalBody } from '../optional-body.js';
import { requireRole, writeContext } from '../request-context.js';
import { environmentParams } from './params.js';

type E = { project: string; environment: string };
type K = E & { id: string };

/**
 * SDK credentials of one environment. Project viewers list them (server keys masked, client-side
 * IDs in full: they ship in web pages anyway); project admins, or admins of that environment,
 * create, rotate and revoke them.
 */
export function sdkKeyRoutes(
  app: FastifyInstance,
  { projects, sdkKeys }: { projects: ProjectService; sdkKeys: SdkKeyService },
) {
  const tags = ['sdk keys'];
  const base = '/api/v1/projects/:project/environments/:environment/keys';
  const resolve = async (params: E) => {
    const project = await projects.get(params.project);
    return { project, env: await projects.environment(project, params.environment) };
  };

  app.get<{ Params: E; Querystring: CredentialListQuery }>(
    base,
    {
      schema: {
        tags,
        summary: "List an environment's server keys (masked) and client-side IDs",
        params: environmentParams,
        querystring: credentialListQuery,
      },
    },
    async (req) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'viewer', { projectId: project.id });
      return { items: await sdkKeys.list(env, { includeInactive: req.query.state === 'all' }) };
    },
  );

  app.post<{ Params: E; Body: CreateSdkKeyBody }>(
    base,
    {
      schema: {
        tags,
        summary: 'Create a server SDK key (secret, shown once) or a client-side ID (public)',
        params: environmentParams,
        body: createSdkKeyBody,
      },
    },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'admin', { projectId: project.id, environmentId: env.id });
      return reply
        .status(201)
        .send(await sdkKeys.create(writeContext(req, req.body.comment), project, env, req.body.kind));
    },
  );

  app.post<{ Params: K; Body: RotateSdkKeyBody }>(
    `${base}/:id/rotate`,
    {
      preValidation: optionalBody,
      schema: {
        tags,
        summary: 'Replace a key: the new one is shown once; the old one works until the grace period ends',
        params: sdkKeyParams,
        body: rotateSdkKeyBody,
      },
    },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'admin', { projectId: project.id, environmentId: env.id });
      const ctx = writeContext(req, req.body.comment);
      return reply
        .status(201)
        .send(await sdkKeys.rotate(ctx, project, env, req.params.id, req.body.gracePeriodSeconds));
    },
  );

  app.delete<{ Params: K }>(
    `${base}/:id`,
    { schema: { tags, summary: 'Revoke a key at once', params: sdkKeyParams } },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'admin', { projectId: project.id, environmentId: env.id });
      await sdkKeys.revoke(writeContext(req), project, env, req.params.id);
      return reply.status(204).send();
    },
  );
}
