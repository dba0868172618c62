import type { Role } from '../auth/principal.js';
import type { Sql } from '../infra/sql/client.js';
import { type CredentialStatus, iso, statusOf, toDate } from './expiry.js';

/** An API token as stored: never the secret, and the hash stays in this module. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  projectId: string | null;
  projectKey: string | null;
  environmentId: string | null;
  environmentKey: string | null;
  hint: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** What the API shows of a token. */
export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  project: string | null;
  environment: string | null;
  hint: string;
  status: CredentialStatus;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const SELECT = `SELECT t.id, t.name, t.role, t.project_id, p.key AS project_key, t.environment_id, e.key AS environment_key,
    t.hint, t.created_by, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
  FROM api_tokens t LEFT JOIN projects p ON p.id = t.project_id LEFT JOIN environments e ON e.id = t.environment_id`;

const toToken = (r: Record<string, unknown>): ApiToken => ({
  id: r.id as string,
  name: r.name as string,
  role: r.role as Role,
  projectId: (r.project_id as string | null) ?? null,
  projectKey: (r.project_key as string | null) ?? null,
  environmentId: (r.environment_id as string | null) ?? null,
  environmentKey: (r.environment_key as string | null) ?? null,
  hint: r.hint as string,
  createdBy: r.created_by as string,
  createdAt: toDate(r.created_at) as Date,
  expiresAt: toDate(r.expires_at),
  revokedAt: toDate(r.revoked_at),
  lastUsedAt: toDate(r.last_used_at),
});

export const viewToken = (t: ApiToken, now = new Date()): ApiTokenView => ({
  id: t.id,
  name: t.name,
  role: t.role,
  project: t.projectKey,
  environment: t.environmentKey,
  hint: t.hint,
  status: statusOf(t.revokedAt, t.expiresAt, now),
  createdBy: t.createdBy,
  createdAt: t.createdAt.toISOString(),
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
  lastUsedAt: iso(t.lastUsedAt),
});

export async function findToken(sql: Sql, id: string): Promise<ApiToken | undefined> {
  const [row] = await sql.query(`${SELECT} WHERE t.id = $1`, [id]);
  return row && toToken(row);
}

/**
 * Tokens, newest first. `projectIds` narrows to tokens scoped to those projects (undefined: all);
 * `activeOnly` hides revoked and expired ones.
 */
export async function listTokens(
  sql: Sql,
  opts: { projectIds?: readonly string[] | undefined; activeOnly: boolean },
): Promise<ApiToken[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.projectIds) {
    params.push(JSON.stringify(opts.projectIds));
    where.push(`t.project_id IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`);
  }
  if (opts.activeOnly) where.push('t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())');
  const rows = await sql.query(
    `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY t.created_at DESC, t.id`,
    params,
  );
  return rows.map(toToken);
}

export async function insertToken(
  sql: Sql,
  t: {
    id: string;
    name: string;
    role: Role;
    projectId: string | null;
    environmentId: string | null;
    secretHash: string;
    hint: string;
    createdBy: string;
    createdAt: Date;
    expiresAt: Date | null;
  },
): Promise<void> {
  await sql.query(
    `INSERT INTO api_tokens (id, name, role, project_id, environment_id, secret_hash, hint, created_by, created_at, expires_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
    [t.id, t.name, t.role, t.projectId, t.environmentId, t.secretHash, t.hint, t.createdBy, t.createdAt, t.expiresAt],
  );
}

export async function setTokenExpiry(sql: Sql, id: string, expiresAt: Date): Promise<void> {
  await sql.query('UPDATE api_tokens SET expires_at = $2 WHERE id = $1', [id, expiresAt]);
}

export async function revokeToken(sql: Sql, id: string, at: Date): Promise<void> {
  await sql.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, at]);
}
