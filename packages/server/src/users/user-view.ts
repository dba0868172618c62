import type { Grant, Role } from '../auth/principal.js';
import type { Sql } from '../infra/sql/client.js';
import type { Membership, User } from './user-store.js';

export interface GrantView {
  /** Project key; '*' for a token role that covers every project. */
  project: string;
  role: Role;
  /** Environment keys the role is limited to for writes; null: all. */
  environments: string[] | null;
}

export interface UserView {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  disabled: boolean;
  createdAt: string;
  disabledAt: string | null;
  memberships: GrantView[];
}

/** Grants and memberships name projects and environments by id; people read keys. */
export async function presentGrants(
  sql: Sql,
  grants: readonly (Pick<Grant, 'projectId' | 'role'> & { environments: readonly string[] | null })[],
): Promise<GrantView[]> {
  const ids = [...new Set(grants.flatMap((g) => [g.projectId, ...(g.environments ?? [])]))];
  const rows =
    ids.length === 0
      ? []
      : await sql.query<{ id: string; key: string }>(
          `SELECT id, key FROM projects WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))
           UNION ALL SELECT id, key FROM environments WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
          [JSON.stringify(ids)],
        );
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  return grants.map((g) => ({
    project: g.projectId === '*' ? '*' : (keyOf.get(g.projectId) ?? g.projectId),
    role: g.role,
    environments: g.environments === null ? null : g.environments.map((id) => keyOf.get(id) ?? id),
  }));
}

export async function presentUser(sql: Sql, user: User, memberships: readonly Membership[]): Promise<UserView> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
    disabledAt: user.disabledAt ? user.disabledAt.toISOString() : null,
    memberships: await presentGrants(
      sql,
      memberships.map((m) => ({ projectId: m.projectId, role: m.role, environments: m.environmentIds })),
    ),
  };
}
