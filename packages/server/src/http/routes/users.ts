import type { FastifyInstance } from 'fastify';
import {
  type CreateUserBody,
  createUserBody,
  type MembershipBody,
  membershipBody,
  membershipParams,
  type UpdateUserBody,
  updateUserBody,
  userIdParams,
} from '../../users/user-schemas.js';
import type { UserService } from '../../users/user-service.js';
import { requireRole, writeContext } from '../request-context.js';

type Id = { id: string };
type M = { id: string; project: string };

/** Dashboard users and their project memberships: installation admins only. */
export function userRoutes(app: FastifyInstance, { users }: { users: UserService }) {
  const tags = ['users'];

  app.get('/api/v1/users', { schema: { tags, summary: 'List users with their memberships (admin)' } }, async (req) => {
    requireRole(req, 'admin');
    return { items: await users.list() };
  });

  app.post<{ Body: CreateUserBody }>(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Create a local user; without a password one is generated and returned once (admin)',
        body: createUserBody,
      },
    },
    async (req, reply) => {
      requireRole(req, 'admin');
      return reply.status(201).send(await users.create(writeContext(req, req.body.comment), req.body));
    },
  );

  app.get<{ Params: Id }>(
    '/api/v1/users/:id',
    { schema: { tags, summary: 'Get a user (admin)', params: userIdParams } },
    async (req) => {
      requireRole(req, 'admin');
      return users.view(req.params.id);
    },
  );

  app.patch<{ Params: Id; Body: UpdateUserBody }>(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'Rename, promote or demote, disable or re-enable a user, or reset the password (admin)',
        params: userIdParams,
        body: updateUserBody,
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      return users.update(writeContext(req, req.body.comment), req.params.id, req.body);
    },
  );

  app.put<{ Params: M; Body: MembershipBody }>(
    '/api/v1/users/:id/memberships/:project',
    {
      schema: {
        tags,
        summary: "Set a user's role in a project, optionally limited to some environments (admin)",
        params: membershipParams,
        body: membershipBody,
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      return users.setMembership(writeContext(req, req.body.comment), req.params.id, req.params.project, req.body);
    },
  );

  app.delete<{ Params: M }>(
    '/api/v1/users/:id/memberships/:project',
    { schema: { tags, summary: 'Remove a user from a project (admin)', params: membershipParams } },
    async (req, reply) => {
      requireRole(req, 'admin');
      await users.removeMembership(writeContext(req), req.params.id, req.params.project);
      return reply.status(204).send();
    },
  );
}
