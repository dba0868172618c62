import type { Sql } from '../infra/sql/client.js';

/** Sessions are found by the SHA-256 of their secret: the cookie value itself is never stored. */
export async function insertSession(
  sql: Sql,
  s: { idHash: string; userId: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await sql.query('INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1,$2,$3,$4)', [
    s.idHash,
    s.userId,
    s.csrfToken,
    s.expiresAt,
  ]);
}

export async function findSession(
  sql: Sql,
  idHash: string,
): Promise<{ userId: string; csrfToken: string; expiresAt: Date } | undefined> {
  const [row] = await sql.query<{ user_id: string; csrf_token: string; expires_at: string }>(
    'SELECT user_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1',
    [idHash],
  );
  return row && { userId: row.user_id, csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at) };
}

export async function deleteSession(sql: Sql, idHash: string): Promise<boolean> {
  return (await sql.query('DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id', [idHash])).length > 0;
}

/** Ends a user's sessions, except optionally the one making the request. Also sweeps expired rows. */
export async function deleteUserSessions(sql: Sql, userId: string, keepIdHash?: string): Promise<void> {
  await sql.query('DELETE FROM sessions WHERE (user_id = $1 AND id_hash <> $2) OR expires_at < now()', [
    userId,
    keepIdHash ?? '',
  ]);
}
