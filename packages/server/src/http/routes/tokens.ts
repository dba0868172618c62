import type { FastifyInstance } from 'fastify';
import {
  type CreateTokenBody,
  type CredentialListQuery,
  createTokenBody,
  credentialListQuery,
  idParams,
  type RotateTokenBody,
  rotateTokenBody,
} from '../../credentials/credential-schemas.js';
import type { TokenService } from '../../credentials/token-service.js';
import { optionalBody } from '../optional-body.js';
import { writeContext } from '../request-context.js';

type Id = { id: string };

/**
 * API tokens. Authorization lives in TokenService (credentials/token-access.ts) because it
 * depends on the token's scope: installation admins manage all tokens, project admins those
 * scoped to their project.
 */
export function tokenRoutes(app: FastifyInstance, { tokens }: { tokens: TokenService }) {
  const tags = ['api tokens'];

  app.get<{ Querystring: CredentialListQuery }>(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'List the API tokens you manage (secrets never shown: a hint like vxa_…abcd)',
        querystring: credentialListQuery,
      },
    },
    async (req) => ({ items: await tokens.list(writeContext(req), { includeInactive: req.query.state === 'all' }) }),
  );

  app.post<{ Body: CreateTokenBody }>(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token with a role and an optional project/environment scope; the secret is shown once',
        body: createTokenBody,
      },
    },
    async (req, reply) => reply.status(201).send(await tokens.create(writeContext(req, req.body.comment), req.body)),
  );

  app.post<{ Params: Id; Body: RotateTokenBody }>(
    '/api/v1/tokens/:id/rotate',
    {
      preValidation: optionalBody,
      schema: {
        tags,
        summary: 'Replace a token: the new secret is shown once; the old one works until the grace period ends',
        params: idParams,
        body: rotateTokenBody,
      },
    },
    async (req, reply) =>
      reply.status(201).send(await tokens.rotate(writeContext(req, req.body.comment), req.params.id, req.body)),
  );

  app.delete<{ Params: Id }>(
    '/api/v1/tokens/:id',
    { schema: { tags, summary: 'Revoke a token at once', params: idParams } },
    async (req, reply) => {
      await tokens.revoke(writeContext(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
