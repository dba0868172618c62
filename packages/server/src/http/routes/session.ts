import type { FastifyInstance } from 'fastify';
import { SESSION_TTL_SECONDS, type SessionService } from '../../users/session-service.js';
import { type ChangePasswordBody, changePasswordBody, type LoginBody, loginBody } from '../../users/user-schemas.js';
import { principalOf, writeContext } from '../request-context.js';
import { isSecureRequest, sessionCookie, sessionSecretOf } from '../session-cookie.js';

/**
 * Dashboard sessions: log in (the one public write), who am I, log out, change password.
 * `cookieSecure` forces the Secure attribute, for TLS terminated by a proxy we do not trust
 * enough to believe its X-Forwarded-Proto.
 */
export function sessionRoutes(
  app: FastifyInstance,
  { sessions, cookieSecure }: { sessions: SessionService; cookieSecure: boolean },
) {
  const tags = ['session'];

  app.post<{ Body: LoginBody }>(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Log in: sets the vexil_session cookie and returns the CSRF token for writes',
        body: loginBody,
        security: [],
      },
    },
    async (req, reply) => {
      const s = await sessions.login(req.body.email, req.body.password, { ip: req.ip, requestId: req.id });
      reply.header('set-cookie', sessionCookie(s.secret, SESSION_TTL_SECONDS, isSecureRequest(req, cookieSecure)));
      return { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/v1/session',
    { schema: { tags, summary: 'Who am I: the caller, its grants and (for sessions) the CSRF token' } },
    async (req) => sessions.whoAmI(principalOf(req), req.authVia === 'session' ? sessionSecretOf(req) : undefined),
  );

  app.delete('/api/v1/session', { schema: { tags, summary: 'Log out: ends this session' } }, async (req, reply) => {
    await sessions.logout(writeContext(req), req.authVia === 'session' ? sessionSecretOf(req) : undefined);
    reply.header('set-cookie', sessionCookie('', 0, isSecureRequest(req, cookieSecure)));
    return reply.status(204).send();
  });

  app.post<{ Body: ChangePasswordBody }>(
    '/api/v1/session/password',
    {
      schema: {
        tags,
        summary: 'Change your own password (logged-in users); ends your other sessions',
        body: changePasswordBody,
      },
    },
    async (req, reply) => {
      const secret = req.authVia === 'session' ? sessionSecretOf(req) : undefined;
      await sessions.changePassword(writeContext(req), secret, req.body, req.ip);
      return reply.status(204).send();
    },
  );
}
