import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { forbidden } from '../../errors/errors.js';
import { principalOf } from '../request-context.js';

/**
 * GET /api/v1/metrics: Prometheus text. Readable by installation-wide callers only (an admin, or
 * a token with any role and no project scope): give the scraper an unscoped viewer token.
 */
export function metricsRoutes(app: FastifyInstance, { registry }: { registry: Registry }) {
  app.get('/api/v1/metrics', { schema: { hide: true } }, async (req, reply) => {
    const p = principalOf(req);
    if (!p.admin && !p.grants.some((g) => g.projectId === '*'))
      throw forbidden('metrics need an installation-wide token (any role, no project scope) or an admin');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
