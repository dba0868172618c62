import type { FastifyInstance } from 'fastify';
import { parseIfMatch } from '../../flags/flag-service.js';
import type { ProjectService } from '../../projects/project-service.js';
import {
  type CreateSegmentBody,
  createSegmentBody,
  type PutSegmentBody,
  putSegmentBody,
} from '../../segments/segment-schemas.js';
import type { SegmentService } from '../../segments/segment-service.js';
import { requireRole, withEtag, writeContext } from '../request-context.js';
import { environmentParams, segmentParams } from './params.js';

type E = { project: string; environment: string };
type S = E & { segment: string };

export function segmentRoutes(
  app: FastifyInstance,
  { projects, segments }: { projects: ProjectService; segments: SegmentService },
) {
  const tags = ['segments'];
  const base = '/api/v1/projects/:project/environments/:environment/segments';
  const resolve = async (params: E) => {
    const project = await projects.get(params.project);
    return { project, env: await projects.environment(project, params.environment) };
  };

  app.get<{ Params: E }>(
    base,
    { schema: { tags, summary: "List an environment's segments", params: environmentParams } },
    async (req) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'viewer', { projectId: project.id });
      return { items: await segments.list(env) };
    },
  );

  app.post<{ Params: E; Body: CreateSegmentBody }>(
    base,
    { schema: { tags, summary: 'Create a segment', params: environmentParams, body: createSegmentBody } },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'editor', { projectId: project.id, environmentId: env.id });
      const seg = await segments.create(writeContext(req, req.body.comment), project, env, req.body);
      withEtag(reply, seg.version);
      return reply.status(201).send(seg);
    },
  );

  app.get<{ Params: S }>(
    `${base}/:segment`,
    { schema: { tags, summary: 'Get a segment (ETag for If-Match)', params: segmentParams } },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'viewer', { projectId: project.id });
      const seg = await segments.get(env, req.params.segment);
      withEtag(reply, seg.version);
      return seg;
    },
  );

  app.put<{ Params: S; Body: PutSegmentBody }>(
    `${base}/:segment`,
    {
      schema: {
        tags,
        summary: 'Replace a segment; send If-Match to refuse stale writes',
        params: segmentParams,
        body: putSegmentBody,
      },
    },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'editor', { projectId: project.id, environmentId: env.id });
      const seg = await segments.replace(
        writeContext(req, req.body.comment),
        project,
        env,
        req.params.segment,
        req.body,
        parseIfMatch(req.headers['if-match']),
      );
      withEtag(reply, seg.version);
      return seg;
    },
  );

  app.delete<{ Params: S }>(
    `${base}/:segment`,
    { schema: { tags, summary: 'Delete a segment no flag uses', params: segmentParams } },
    async (req, reply) => {
      const { project, env } = await resolve(req.params);
      requireRole(req, 'editor', { projectId: project.id, environmentId: env.id });
      await segments.remove(writeContext(req), project, env, req.params.segment);
      return reply.status(204).send();
    },
  );
}
