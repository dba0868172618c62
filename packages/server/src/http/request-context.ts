import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize, type Scope } from '../auth/authorize.js';
import type { Principal, Role } from '../auth/principal.js';
import type { WriteContext } from '../changes/mutation.js';
import { unauthenticated } from '../errors/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    authVia: 'token' | 'session' | undefined;
  }
  interface FastifyContextConfig {
    /** Routes open without credentials (login, health, the OpenAPI document). */
    public?: boolean;
  }
}

/** The caller, or 401. Every non-public route starts here. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated('this route needs an API token (Authorization: Bearer …) or a session');
  return req.principal;
}

/** Asserts the caller holds `role` for the scope and returns it. */
export function requireRole(req: FastifyRequest, role: Role, scope: Scope = {}): Principal {
  const p = principalOf(req);
  authorize(p, role, scope);
  return p;
}

export const writeContext = (req: FastifyRequest, comment?: string): WriteContext => ({
  principal: principalOf(req),
  comment,
  requestId: req.id,
});

export const withEtag = (reply: FastifyReply, version: number) => reply.header('etag', `"${version}"`);
