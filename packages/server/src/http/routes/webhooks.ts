import type { FastifyInstance } from 'fastify';
import type { ProjectService } from '../../projects/project-service.js';
import {
  type CreateWebhookBody,
  createWebhookBody,
  type UpdateWebhookBody,
  updateWebhookBody,
  webhookParams,
} from '../../webhooks/webhook-schemas.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { optionalBody } from '../optional-body.js';
import { requireRole, writeContext } from '../request-context.js';
import { projectParams } from './params.js';

type P = { project: string };
type W = P & { id: string };

/**
 * A project's webhooks: project admins manage them and read their deliveries (URLs and delivery
 * errors can reveal internal systems, so viewers do not see them).
 */
export function webhookRoutes(
  app: FastifyInstance,
  { projects, webhooks }: { projects: ProjectService; webhooks: WebhookService },
) {
  const tags = ['webhooks'];
  const base = '/api/v1/projects/:project/webhooks';
  const admin = async (req: Parameters<typeof requireRole>[0], key: string) => {
    const project = await projects.get(key);
    requireRole(req, 'admin', { projectId: project.id });
    return project;
  };

  app.get<{ Params: P }>(
    base,
    { schema: { tags, summary: "List a project's webhooks (secrets never shown)", params: projectParams } },
    async (req) => ({ items: await webhooks.list(await admin(req, req.params.project)) }),
  );

  app.post<{ Params: P; Body: CreateWebhookBody }>(
    base,
    {
      schema: {
        tags,
        summary: 'Create a webhook; its signing secret is shown once',
        params: projectParams,
        body: createWebhookBody,
      },
    },
    async (req, reply) => {
      const project = await admin(req, req.params.project);
      return reply.status(201).send(await webhooks.create(writeContext(req, req.body.comment), project, req.body));
    },
  );

  app.patch<{ Params: W; Body: UpdateWebhookBody }>(
    `${base}/:id`,
    {
      preValidation: optionalBody,
      schema: { tags, summary: 'Change a webhook', params: webhookParams, body: updateWebhookBody },
    },
    async (req) => {
      const project = await admin(req, req.params.project);
      return webhooks.update(writeContext(req, req.body.comment), project, req.params.id, req.body);
    },
  );

  app.delete<{ Params: W }>(
    `${base}/:id`,
    { schema: { tags, summary: 'Delete a webhook and its pending deliveries', params: webhookParams } },
    async (req, reply) => {
      const project = await admin(req, req.params.project);
      await webhooks.remove(writeContext(req), project, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: W }>(
    `${base}/:id/deliveries`,
    { schema: { tags, summary: 'The newest deliveries of a webhook and their outcome', params: webhookParams } },
    async (req) => {
      const project = await admin(req, req.params.project);
      return { items: await webhooks.deliveries(project, req.params.id) };
    },
  );
}
