import { SYSTEM } from './auth/principal.js';
import { mutate, newId } from './changes/mutation.js';
import { generatePassword, hashPassword } from './credentials/passwords.js';
import { hashSecret, hintOf, newSecret, PREFIX } from './credentials/secrets.js';
import type { SqlClient } from './infra/sql/client.js';
import type { ProjectService } from './projects/project-service.js';

export interface FirstRun {
  adminEmail: string;
  adminPassword: string;
  adminToken: string;
}

/**
 * On the first start of an empty store: a default project with production and staging, an admin
 * user and an admin API token. Their secrets are returned once, to be printed, and kept only hashed.
 */
export async function bootstrapIfEmpty(
  db: SqlClient,
  projects: ProjectService,
  opts: { adminEmail: string; adminPassword: string | undefined },
): Promise<FirstRun | undefined> {
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if (n > 0) return undefined;
  const password = opts.adminPassword ?? generatePassword();
  const token = newSecret(PREFIX.apiToken);
  const ctx = { principal: SYSTEM, requestId: 'bootstrap', comment: 'first start' };
  await mutate(db, ctx, async (tx, record) => {
    const userId = newId();
    await tx.query('INSERT INTO users (id, email, name, password_hash, is_admin) VALUES ($1,$2,$3,$4,true)', [
      userId,
      opts.adminEmail,
      'Administrator',
      await hashPassword(password),
    ]);
    const tokenId = newId();
    await tx.query(
      'INSERT INTO api_tokens (id, name, role, secret_hash, hint, created_by) VALUES ($1,$2,$3,$4,$5,$6)',
      [tokenId, 'bootstrap admin token', 'admin', hashSecret(token), hintOf(token), SYSTEM.id],
    );
    record.audit({
      projectId: null,
      action: 'user.create',
      resourceType: 'user',
      resourceKey: opts.adminEmail,
      after: { id: userId, email: opts.adminEmail, admin: true },
    });
    record.audit({
      projectId: null,
      action: 'token.create',
      resourceType: 'token',
      resourceKey: tokenId,
      after: { id: tokenId, role: 'admin', hint: hintOf(token) },
    });
  });
  const existing = await db.query('SELECT 1 FROM projects LIMIT 1');
  if (existing.length === 0) await projects.create(ctx, { key: 'default', name: 'Default project' });
  return { adminEmail: opts.adminEmail, adminPassword: password, adminToken: token };
}
