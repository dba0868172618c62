import { hashSecret, PREFIX, safeEqual } from '../credentials/secrets.js';
import { AppError, unauthenticated } from '../errors/errors.js';
import type { Sql } from '../infra/sql/client.js';
import type { Grant, Principal, Role } from './principal.js';

export const SESSION_COOKIE = 'vexil_session';
export const CSRF_HEADER = 'x-csrf-token';
const LAST_USED_EVERY_MS = 60_000;

export interface Credentials {
  authorization?: string | undefined;
  sessionCookie?: string | undefined;
  csrfToken?: string | undefined;
  /** GET, HEAD and OPTIONS change nothing and need no CSRF token. */
  safeMethod: boolean;
}

export interface Authenticated {
  principal: Principal;
  via: 'token' | 'session';
}

/**
 * Resolves the caller. Returns undefined when no credentials were sent; throws unauthenticated
 * for credentials that are unknown, revoked or expired (never saying which secret it was).
 */
export async function authenticate(sql: Sql, c: Credentials, now = new Date()): Promise<Authenticated | undefined> {
  if (c.authorization !== undefined) {
    const token = /^Bearer\s+(\S+)$/i.exec(c.authorization)?.[1];
    if (!token?.startsWith(PREFIX.apiToken)) throw unauthenticated('Authorization must be "Bearer <API token>"');
    return { principal: await tokenPrincipal(sql, token, now), via: 'token' };
  }
  if (c.sessionCookie !== undefined) {
    const { principal, csrf } = await sessionPrincipal(sql, c.sessionCookie, now);
    if (!c.safeMethod && (c.csrfToken === undefined || !safeEqual(c.csrfToken, csrf)))
      throw new AppError('csrf_failed');
    return { principal, via: 'session' };
  }
  return undefined;
}

async function tokenPrincipal(sql: Sql, secret: string, now: Date): Promise<Principal> {
  const [t] = await sql.query<{
    id: string;
    name: string;
    role: Role;
    project_id: string | null;
    environment_id: string | null;
    expires_at: Date | null;
    revoked_at: Date | null;
    last_used_at: Date | null;
  }>(
    'SELECT id, name, role, project_id, environment_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE secret_hash = $1',
    [hashSecret(secret)],
  );
  if (!t) throw unauthenticated('unknown API token');
  if (t.revoked_at) throw unauthenticated('this API token was revoked');
  if (t.expires_at && new Date(t.expires_at) <= now) throw unauthenticated('this API token has expired');
  // Shown in token lists, so that unused tokens can be found and revoked; written at most once a
  // minute per token, off the request's path (a failed write only leaves an older time).
  if (!t.last_used_at || now.getTime() - new Date(t.last_used_at).getTime() > LAST_USED_EVERY_MS)
    sql.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [t.id, now]).catch(() => {});
  const admin = t.role === 'admin' && t.project_id === null;
  const grants: Grant[] = admin
    ? []
    : [{ projectId: t.project_id ?? '*', role: t.role, environments: t.environment_id ? [t.environment_id] : null }];
  return { kind: 'token', id: t.id, name: t.name, admin, grants };
}

async function sessionPrincipal(sql: Sql, secret: string, now: Date): Promise<{ principal: Principal; csrf: string }> {
  if (!secret.startsWith(PREFIX.session)) throw unauthenticated('invalid session');
  const [s] = await sql.query<{
    user_id: string;
    csrf_token: string;
    expires_at: Date;
    name: string;
    email: string;
    is_admin: boolean;
    disabled_at: Date | null;
  }>(
    `SELECT s.user_id, s.csrf_token, s.expires_at, u.name, u.email, u.is_admin, u.disabled_at
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
    [hashSecret(secret)],
  );
  if (!s || new Date(s.expires_at) <= now || s.disabled_at) throw unauthenticated('session expired; log in again');
  const memberships = await sql.query<{ project_id: string; role: Role; environments: string[] | null }>(
    'SELECT project_id, role, environments FROM memberships WHERE user_id = $1',
    [s.user_id],
  );
  return {
    principal: {
      kind: 'user',
      id: s.user_id,
      name: s.email,
      admin: s.is_admin,
      grants: memberships.map((m) => ({ projectId: m.project_id, role: m.role, environments: m.environments })),
    },
    csrf: s.csrf_token,
  };
}
