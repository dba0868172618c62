import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { mutate, type WriteContext } from '../changes/mutation.js';
import { hashPassword, verifyPassword } from '../credentials/passwords.js';
import { hashSecret, newSecret, PREFIX } from '../credentials/secrets.js';
import { forbidden, invalidField, unauthenticated } from '../errors/errors.js';
import type { SqlClient } from '../infra/sql/client.js';
import { LoginLimiter } from './login-limiter.js';
import { deleteSession, deleteUserSessions, findSession, insertSession } from './session-store.js';
import {
  findCredentials,
  findUser,
  membershipsOf,
  normaliseEmail,
  passwordHashOf,
  setPasswordHash,
} from './user-store.js';
import { type GrantView, presentGrants, presentUser, type UserView } from './user-view.js';

/** Sessions last 12 hours from login, then the user logs in again. */
export const SESSION_TTL_SECONDS = 12 * 3600;

/**
 * Unknown emails are checked against this hash, so they cost the same scrypt work as a wrong
 * password and answer in about the same time: response timing does not reveal who has an account.
 */
let dummyHash: Promise<string> | undefined;
const dummy = () => {
  dummyHash ??= hashPassword(newSecret('dummy-'));
  return dummyHash;
};

export interface LoggedIn {
  /** The cookie value; only its SHA-256 is stored. */
  secret: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserView;
}

export interface WhoAmI {
  kind: 'user' | 'token';
  id: string;
  name: string;
  admin: boolean;
  grants: GrantView[];
  user?: UserView;
  csrfToken?: string;
  expiresAt?: string;
}

export class SessionService {
  readonly limiter: LoginLimiter;

  constructor(private readonly deps: { db: SqlClient; limiter?: LoginLimiter }) {
    this.limiter = deps.limiter ?? new LoginLimiter(deps.db);
    void dummy();
  }

  /** Email and password to a new session. Every failure looks the same to the caller. */
  async login(email: string, password: string, meta: { ip: string; requestId: string }): Promise<LoggedIn> {
    const { db } = this.deps;
    const login = normaliseEmail(email);
    await this.limiter.check(login, meta.ip);
    const found = await findCredentials(db, login);
    const ok = await verifyPassword(password, found?.passwordHash ?? (await dummy()));
    if (!found || !ok) {
      await this.limiter.fail(login, meta.ip);
      throw unauthenticated('invalid email or password');
    }
    // Only someone who knows the password learns that the account is disabled.
    if (found.disabledAt) throw unauthenticated('this account is disabled');
    await this.limiter.succeed(login);

    const secret = newSecret(PREFIX.session);
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_SECONDS * 1000);
    const principal: Principal = { kind: 'user', id: found.id, name: found.email, admin: found.isAdmin, grants: [] };
    await mutate(db, { principal, requestId: meta.requestId }, async (tx, record) => {
      // Logging in also sweeps this user's expired sessions.
      await tx.query('DELETE FROM sessions WHERE user_id = $1 AND expires_at < now()', [found.id]);
      await insertSession(tx, { idHash: hashSecret(secret), userId: found.id, csrfToken, expiresAt });
      record.audit({
        projectId: null,
        action: 'session.create',
        resourceType: 'user',
        resourceKey: found.email,
        after: { expiresAt: expiresAt.toISOString() },
      });
    });
    const memberships = (await membershipsOf(db, [found.id])).get(found.id) ?? [];
    return { secret, csrfToken, expiresAt, user: await presentUser(db, found, memberships) };
  }

  /** Ends the session that sent the request; a token caller has none, and nothing happens. */
  async logout(ctx: WriteContext, sessionSecret: string | undefined): Promise<void> {
    if (ctx.principal.kind !== 'user' || sessionSecret === undefined) return;
    await mutate(this.deps.db, ctx, async (tx, record) => {
      if (!(await deleteSession(tx, hashSecret(sessionSecret)))) return;
      record.audit({
        projectId: null,
        action: 'session.delete',
        resourceType: 'user',
        resourceKey: ctx.principal.name,
      });
    });
  }

  async whoAmI(principal: Principal, sessionSecret: string | undefined): Promise<WhoAmI> {
    const { db } = this.deps;
    const base: WhoAmI = {
      kind: principal.kind,
      id: principal.id,
      name: principal.name,
      admin: principal.admin,
      grants: await presentGrants(db, principal.grants),
    };
    if (principal.kind !== 'user' || sessionSecret === undefined) return base;
    const [session, user] = await Promise.all([findSession(db, hashSecret(sessionSecret)), findUser(db, principal.id)]);
    if (!session || !user) return base;
    const memberships = (await membershipsOf(db, [user.id])).get(user.id) ?? [];
    return {
      ...base,
      user: await presentUser(db, user, memberships),
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  /**
   * A logged-in user changes their own password. A wrong current password counts as a failed
   * login (so this is no way around the limiter); success ends the user's other sessions.
   */
  async changePassword(
    ctx: WriteContext,
    sessionSecret: string | undefined,
    body: { currentPassword: string; newPassword: string },
    ip: string,
  ): Promise<void> {
    const p = ctx.principal;
    if (p.kind !== 'user') throw forbidden('only a logged-in user has a password to change');
    const { db } = this.deps;
    const login = normaliseEmail(p.name);
    await this.limiter.check(login, ip);
    const stored = await passwordHashOf(db, p.id);
    if (stored === undefined || !(await verifyPassword(body.currentPassword, stored))) {
      await this.limiter.fail(login, ip);
      throw invalidField('/currentPassword', 'incorrect', 'is not your current password');
    }
    const hash = await hashPassword(body.newPassword);
    await mutate(db, ctx, async (tx, record) => {
      await setPasswordHash(tx, p.id, hash);
      await deleteUserSessions(tx, p.id, sessionSecret === undefined ? undefined : hashSecret(sessionSecret));
      record.audit({
        projectId: null,
        action: 'user.password_change',
        resourceType: 'user',
        resourceKey: p.name,
        after: { passwordChanged: true },
      });
    });
  }
}
