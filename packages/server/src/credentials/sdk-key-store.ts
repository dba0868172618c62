import type { Sql } from '../infra/sql/client.js';
import { type CredentialStatus, iso, statusOf, toDate } from './expiry.js';

export const SDK_KEY_KINDS = ['server', 'client'] as const;
export type SdkKeyKind = (typeof SDK_KEY_KINDS)[number];

/** An SDK credential as stored: server keys keep only their hash, client-side IDs are public. */
export interface SdkKey {
  id: string;
  environmentId: string;
  kind: SdkKeyKind;
  /** The client-side ID itself; null for server keys. */
  publicId: string | null;
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** What the API shows: server keys masked to their hint, client-side IDs in full. */
export interface SdkKeyView {
  id: string;
  kind: SdkKeyKind;
  environment: string;
  hint: string;
  clientId: string | null;
  status: CredentialStatus;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const toKey = (r: Record<string, unknown>): SdkKey => ({
  id: r.id as string,
  environmentId: r.environment_id as string,
  kind: r.kind as SdkKeyKind,
  publicId: (r.public_id as string | null) ?? null,
  hint: r.hint as string,
  createdAt: toDate(r.created_at) as Date,
  expiresAt: toDate(r.expires_at),
  revokedAt: toDate(r.revoked_at),
});

export const viewSdkKey = (k: SdkKey, environmentKey: string, now = new Date()): SdkKeyView => ({
  id: k.id,
  kind: k.kind,
  environment: environmentKey,
  hint: k.hint,
  clientId: k.publicId,
  status: statusOf(k.revokedAt, k.expiresAt, now),
  createdAt: k.createdAt.toISOString(),
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
});

const COLUMNS = 'id, environment_id, kind, public_id, hint, created_at, expires_at, revoked_at';

export async function listSdkKeys(sql: Sql, environmentId: string, activeOnly: boolean): Promise<SdkKey[]> {
  const active = activeOnly ? ' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())' : '';
  const rows = await sql.query(
    `SELECT ${COLUMNS} FROM sdk_keys WHERE environment_id = $1${active} ORDER BY created_at DESC, id`,
    [environmentId],
  );
  return rows.map(toKey);
}

export async function findSdkKey(sql: Sql, environmentId: string, id: string): Promise<SdkKey | undefined> {
  const [row] = await sql.query(`SELECT ${COLUMNS} FROM sdk_keys WHERE environment_id = $1 AND id = $2`, [
    environmentId,
    id,
  ]);
  return row && toKey(row);
}

export async function insertSdkKey(
  sql: Sql,
  k: Omit<SdkKey, 'revokedAt' | 'expiresAt'> & { secretHash: string | null },
): Promise<void> {
  await sql.query(
    'INSERT INTO sdk_keys (id, environment_id, kind, secret_hash, public_id, hint, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)',
    [k.id, k.environmentId, k.kind, k.secretHash, k.publicId, k.hint, k.createdAt],
  );
}

export async function setSdkKeyExpiry(sql: Sql, id: string, expiresAt: Date): Promise<void> {
  await sql.query('UPDATE sdk_keys SET expires_at = $2 WHERE id = $1', [id, expiresAt]);
}

export async function revokeSdkKey(sql: Sql, id: string, at: Date): Promise<void> {
  await sql.query('UPDATE sdk_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, at]);
}

/** The row a presented credential names: server keys by hash, client-side IDs by value. */
export async function lookupSdkKey(
  sql: Sql,
  by: { secretHash: string } | { publicId: string },
): Promise<SdkKey | undefined> {
  const [row] =
    'secretHash' in by
      ? await sql.query(`SELECT ${COLUMNS} FROM sdk_keys WHERE secret_hash = $1 AND kind = 'server'`, [by.secretHash])
      : await sql.query(`SELECT ${COLUMNS} FROM sdk_keys WHERE public_id = $1 AND kind = 'client'`, [by.publicId]);
  return row && toKey(row);
}
