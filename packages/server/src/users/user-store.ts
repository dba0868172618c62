import type { Role } from '../auth/principal.js';
import type { Sql } from '../infra/sql/client.js';

export interface User {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  createdAt: Date;
  disabledAt: Date | null;
}

export interface Membership {
  projectId: string;
  projectKey: string;
  role: Role;
  /** Environment ids; null means every environment of the project. */
  environmentIds: string[] | null;
}

/** Emails are compared case-insensitively: stored and looked up in lower case. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

const toUser = (r: Record<string, unknown>): User => ({
  id: r.id as string,
  email: r.email as string,
  name: r.name as string,
  isAdmin: r.is_admin as boolean,
  createdAt: new Date(r.created_at as string),
  disabledAt: r.disabled_at ? new Date(r.disabled_at as string) : null,
});

const COLUMNS = 'id, email, name, is_admin, created_at, disabled_at';

export async function findUser(sql: Sql, id: string): Promise<User | undefined> {
  const [row] = await sql.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return row && toUser(row);
}

/** The one query that reads a password hash: login and password change. */
export async function findCredentials(sql: Sql, email: string): Promise<(User & { passwordHash: string }) | undefined> {
  const [row] = await sql.query(`SELECT ${COLUMNS}, password_hash FROM users WHERE email = $1`, [
    normaliseEmail(email),
  ]);
  return row && { ...toUser(row), passwordHash: row.password_hash as string };
}

export async function passwordHashOf(sql: Sql, id: string): Promise<string | undefined> {
  const [row] = await sql.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [id]);
  return row?.password_hash;
}

export async function listUsers(sql: Sql): Promise<User[]> {
  return (await sql.query(`SELECT ${COLUMNS} FROM users ORDER BY email`)).map(toUser);
}

export async function insertUser(
  sql: Sql,
  u: { id: string; email: string; name: string; passwordHash: string; isAdmin: boolean; createdAt: Date },
): Promise<void> {
  await sql.query(
    'INSERT INTO users (id, email, name, password_hash, is_admin, created_at) VALUES ($1,$2,$3,$4,$5,$6)',
    [u.id, normaliseEmail(u.email), u.name, u.passwordHash, u.isAdmin, u.createdAt],
  );
}

export async function updateUser(
  sql: Sql,
  id: string,
  u: { name: string; isAdmin: boolean; disabledAt: Date | null },
): Promise<void> {
  await sql.query('UPDATE users SET name = $2, is_admin = $3, disabled_at = $4 WHERE id = $1', [
    id,
    u.name,
    u.isAdmin,
    u.disabledAt,
  ]);
}

export async function setPasswordHash(sql: Sql, id: string, passwordHash: string): Promise<void> {
  await sql.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
}

/** Locks the enabled administrators, so two concurrent demotions cannot both leave none. */
export async function lockActiveAdmins(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    'SELECT id FROM users WHERE is_admin AND disabled_at IS NULL ORDER BY id FOR UPDATE',
  );
  return rows.map((r) => r.id);
}

export async function membershipsOf(sql: Sql, userIds: readonly string[]): Promise<Map<string, Membership[]>> {
  const rows = await sql.query<{
    user_id: string;
    project_id: string;
    project_key: string;
    role: Role;
    environments: string[] | null;
  }>(
    `SELECT m.user_id, m.project_id, p.key AS project_key, m.role, m.environments
     FROM memberships m JOIN projects p ON p.id = m.project_id
     WHERE m.user_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY p.key`,
    [JSON.stringify(userIds)],
  );
  const out = new Map<string, Membership[]>(userIds.map((id) => [id, []]));
  for (const r of rows)
    out.get(r.user_id)?.push({
      projectId: r.project_id,
      projectKey: r.project_key,
      role: r.role,
      environmentIds: r.environments,
    });
  return out;
}

export async function upsertMembership(
  sql: Sql,
  m: { userId: string; projectId: string; role: Role; environmentIds: string[] | null },
): Promise<void> {
  await sql.query(
    `INSERT INTO memberships (user_id, project_id, role, environments) VALUES ($1,$2,$3,$4)
     ON CONFLICT (user_id, project_id) DO UPDATE SET role = EXCLUDED.role, environments = EXCLUDED.environments`,
    [m.userId, m.projectId, m.role, m.environmentIds === null ? null : JSON.stringify(m.environmentIds)],
  );
}

export async function deleteMembership(sql: Sql, userId: string, projectId: string): Promise<boolean> {
  const rows = await sql.query('DELETE FROM memberships WHERE user_id = $1 AND project_id = $2 RETURNING user_id', [
    userId,
    projectId,
  ]);
  return rows.length > 0;
}
