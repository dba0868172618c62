import type { FastifyInstance } from 'fastify';
import { visibleProjects } from '../../auth/authorize.js';
import { notFound } from '../../errors/errors.js';
import type { SqlClient } from '../../infra/sql/client.js';
import {
  type CreateEnvironmentBody,
  type CreateProjectBody,
  createEnvironmentBody,
  createProjectBody,
  type UpdateEnvironmentBody,
  type UpdateProjectBody,
  updateEnvironmentBody,
  updateProjectBody,
} from '../../projects/project-schemas.js';
import type { ProjectService } from '../../projects/project-service.js';
import { listEnvironments, listProjects } from '../../projects/project-store.js';
import { principalOf, requireRole, writeContext } from '../request-context.js';
import { environmentParams, projectParams } from './params.js';

type P = { project: string };
type E = { project: string; environment: string };

export function projectRoutes(app: FastifyInstance, { db, projects }: { db: SqlClient; projects: ProjectService }) {
  const tags = ['projects'];

  app.get('/api/v1/projects', { schema: { tags, summary: 'List the projects you can see' } }, async (req) => {
    const visible = visibleProjects(principalOf(req));
    const all = await listProjects(db);
    return { items: all.filter((p) => !visible || visible.has(p.id)) };
  });

  app.post<{ Body: CreateProjectBody }>(
    '/api/v1/projects',
    { schema: { tags, summary: 'Create a project (admin)', body: createProjectBody } },
    async (req, reply) => {
      requireRole(req, 'admin');
      const { project, environments } = await projects.create(writeContext(req, req.body.comment), req.body);
      return reply.status(201).send({ ...project, environments });
    },
  );

  app.get<{ Params: P }>(
    '/api/v1/projects/:project',
    { schema: { tags, summary: 'Get a project with its environments', params: projectParams } },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'viewer', { projectId: project.id });
      return { ...project, environments: await listEnvironments(db, project.id) };
    },
  );

  app.patch<{ Params: P; Body: UpdateProjectBody }>(
    '/api/v1/projects/:project',
    {
      schema: {
        tags,
        summary: 'Rename or describe a project (project admin)',
        params: projectParams,
        body: updateProjectBody,
      },
    },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'admin', { projectId: project.id });
      return projects.update(writeContext(req, req.body.comment), project, req.body);
    },
  );

  app.delete<{ Params: P }>(
    '/api/v1/projects/:project',
    { schema: { tags, summary: 'Delete a project and everything in it (admin)', params: projectParams } },
    async (req, reply) => {
      requireRole(req, 'admin');
      const project = await projects.get(req.params.project);
      await projects.remove(writeContext(req), project);
      return reply.status(204).send();
    },
  );

  const envTags = ['environments'];
  app.get<{ Params: P }>(
    '/api/v1/projects/:project/environments',
    { schema: { tags: envTags, summary: 'List environments in order', params: projectParams } },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'viewer', { projectId: project.id });
      return { items: await listEnvironments(db, project.id) };
    },
  );

  app.post<{ Params: P; Body: CreateEnvironmentBody }>(
    '/api/v1/projects/:project/environments',
    {
      schema: {
        tags: envTags,
        summary: 'Create an environment, optionally cloning another (project admin)',
        params: projectParams,
        body: createEnvironmentBody,
      },
    },
    async (req, reply) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'admin', { projectId: project.id });
      return reply
        .status(201)
        .send(await projects.createEnvironment(writeContext(req, req.body.comment), project, req.body));
    },
  );

  app.get<{ Params: E }>(
    '/api/v1/projects/:project/environments/:environment',
    { schema: { tags: envTags, summary: 'Get an environment', params: environmentParams } },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'viewer', { projectId: project.id });
      const env = await projects.environment(project, req.params.environment);
      return env;
    },
  );

  app.patch<{ Params: E; Body: UpdateEnvironmentBody }>(
    '/api/v1/projects/:project/environments/:environment',
    {
      schema: {
        tags: envTags,
        summary: 'Rename, recolour, reorder an environment or set its CORS origins (project admin)',
        params: environmentParams,
        body: updateEnvironmentBody,
      },
    },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'admin', { projectId: project.id });
      const env = await projects.environment(project, req.params.environment);
      return projects.updateEnvironment(writeContext(req, req.body.comment), project, env, req.body);
    },
  );

  app.delete<{ Params: E }>(
    '/api/v1/projects/:project/environments/:environment',
    { schema: { tags: envTags, summary: 'Delete an environment (project admin)', params: environmentParams } },
    async (req, reply) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'admin', { projectId: project.id });
      const env = await projects.environment(project, req.params.environment).catch(() => {
        throw notFound(`environment "${req.params.environment}"`);
      });
      await projects.removeEnvironment(writeContext(req), project, env);
      return reply.status(204).send();
    },
  );
}
