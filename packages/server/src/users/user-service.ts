import { mutate, newId, type WriteContext } from '../changes/mutation.js';
import { generatePassword, hashPassword } from '../credentials/passwords.js';
import { conflict, invalid, notFound } from '../errors/errors.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import { UniqueViolationError } from '../infra/sql/errors.js';
import { findEnvironment, findProject } from '../projects/project-store.js';
import { deleteUserSessions } from './session-store.js';
import type { CreateUserBody, MembershipBody, UpdateUserBody } from './user-schemas.js';
import {
  deleteMembership,
  findUser,
  insertUser,
  listUsers,
  lockActiveAdmins,
  membershipsOf,
  normaliseEmail,
  setPasswordHash,
  type User,
  updateUser,
  upsertMembership,
} from './user-store.js';
import { type GrantView, presentGrants, presentUser, type UserView } from './user-view.js';

/** Dashboard accounts and their project memberships. Installation admins only (checked by the routes). */
export class UserService {
  constructor(private readonly deps: { db: SqlClient }) {}

  async list(): Promise<UserView[]> {
    const { db } = this.deps;
    const users = await listUsers(db);
    const memberships = await membershipsOf(
      db,
      users.map((u) => u.id),
    );
    return Promise.all(users.map((u) => presentUser(db, u, memberships.get(u.id) ?? [])));
  }

  async view(id: string): Promise<UserView> {
    const user = await this.get(id);
    return presentUser(this.deps.db, user, (await membershipsOf(this.deps.db, [id])).get(id) ?? []);
  }

  /** Without a password one is generated and returned here, once. */
  async create(ctx: WriteContext, body: CreateUserBody): Promise<{ user: UserView; password?: string }> {
    const generated = body.password === undefined ? generatePassword() : undefined;
    // Hash outside the transaction: scrypt takes tens of milliseconds and needs no lock.
    const passwordHash = await hashPassword(body.password ?? (generated as string));
    const user: User = {
      id: newId(),
      email: normaliseEmail(body.email),
      name: body.name,
      isAdmin: body.isAdmin ?? false,
      createdAt: new Date(),
      disabledAt: null,
    };
    try {
      await mutate(this.deps.db, ctx, async (tx, record) => {
        await insertUser(tx, { ...user, passwordHash });
        record.audit({
          projectId: null,
          action: 'user.create',
          resourceType: 'user',
          resourceKey: user.email,
          after: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin },
        });
      });
    } catch (err) {
      if (err instanceof UniqueViolationError) throw conflict(`a user with email "${user.email}" already exists`);
      throw err;
    }
    const view = await presentUser(this.deps.db, user, []);
    return generated === undefined ? { user: view } : { user: view, password: generated };
  }

  /**
   * Renames, promotes or demotes, disables or re-enables, or resets the password. Disabling and
   * password resets end the user's sessions. The last enabled administrator cannot be demoted
   * or disabled: that would lock everyone out of user and token management.
   */
  async update(ctx: WriteContext, id: string, body: UpdateUserBody): Promise<UserView> {
    const before = await this.get(id);
    const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
    const now = new Date();
    const after: User = {
      ...before,
      name: body.name ?? before.name,
      isAdmin: body.isAdmin ?? before.isAdmin,
      disabledAt: body.disabled === undefined ? before.disabledAt : body.disabled ? (before.disabledAt ?? now) : null,
    };
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const wasActiveAdmin = before.isAdmin && before.disabledAt === null;
      const staysActiveAdmin = after.isAdmin && after.disabledAt === null;
      if (wasActiveAdmin && !staysActiveAdmin) {
        const admins = await lockActiveAdmins(tx);
        if (admins.filter((a) => a !== id).length === 0)
          throw conflict('this is the last enabled administrator; promote another user first');
      }
      await updateUser(tx, id, after);
      if (passwordHash !== undefined) await setPasswordHash(tx, id, passwordHash);
      if (passwordHash !== undefined || (after.disabledAt && !before.disabledAt)) await deleteUserSessions(tx, id);
      record.audit({
        projectId: null,
        action: 'user.update',
        resourceType: 'user',
        resourceKey: before.email,
        before: auditable(before),
        after: { ...auditable(after), ...(passwordHash === undefined ? {} : { passwordChanged: true }) },
      });
    });
    return this.view(id);
  }

  /** Gives the user a role in a project, optionally limited to some environments (by key). */
  async setMembership(ctx: WriteContext, id: string, projectKey: string, body: MembershipBody): Promise<UserView> {
    const user = await this.get(id);
    const project = await findProject(this.deps.db, projectKey);
    if (!project) throw notFound(`project "${projectKey}"`);
    const keys = body.environments === undefined || body.environments === null ? null : [...new Set(body.environments)];
    let environmentIds: string[] | null = null;
    if (keys !== null) {
      const found = await Promise.all(keys.map((k) => findEnvironment(this.deps.db, project.id, k)));
      const issues = found.flatMap((e, i) =>
        e
          ? []
          : [
              {
                path: `/environments/${i}`,
                code: 'not_found',
                message: `no environment "${keys[i]}" in "${project.key}"`,
              },
            ],
      );
      if (issues.length > 0) throw invalid(issues);
      environmentIds = found.map((e) => (e as { id: string }).id);
    }
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const before = await membershipView(tx, id, project.id);
      await upsertMembership(tx, { userId: id, projectId: project.id, role: body.role, environmentIds });
      record.audit({
        projectId: project.id,
        action: 'membership.put',
        resourceType: 'membership',
        resourceKey: user.email,
        before: before ? { user: user.email, ...before } : null,
        after: { user: user.email, project: project.key, role: body.role, environments: keys },
      });
    });
    return this.view(id);
  }

  async removeMembership(ctx: WriteContext, id: string, projectKey: string): Promise<void> {
    const user = await this.get(id);
    const project = await findProject(this.deps.db, projectKey);
    if (!project) throw notFound(`project "${projectKey}"`);
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const before = await membershipView(tx, id, project.id);
      if (!before || !(await deleteMembership(tx, id, project.id)))
        throw notFound(`membership of "${user.email}" in project "${projectKey}"`);
      record.audit({
        projectId: project.id,
        action: 'membership.delete',
        resourceType: 'membership',
        resourceKey: user.email,
        before: { user: user.email, ...before },
      });
    });
  }

  private async get(id: string): Promise<User> {
    const user = await findUser(this.deps.db, id);
    if (!user) throw notFound(`user "${id}"`);
    return user;
  }
}

async function membershipView(sql: Sql, userId: string, projectId: string): Promise<GrantView | undefined> {
  const m = (await membershipsOf(sql, [userId])).get(userId)?.find((x) => x.projectId === projectId);
  if (!m) return undefined;
  const [view] = await presentGrants(sql, [{ projectId, role: m.role, environments: m.environmentIds }]);
  return view;
}

/** What the audit log keeps of a user: never a password or its hash. */
const auditable = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  isAdmin: u.isAdmin,
  disabledAt: u.disabledAt ? u.disabledAt.toISOString() : null,
});
