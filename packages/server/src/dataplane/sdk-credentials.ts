import { statusOf } from '../credentials/expiry.js';
import { lookupSdkKey } from '../credentials/sdk-key-store.js';
import { hashSecret, PREFIX } from '../credentials/secrets.js';
import type { Sql } from '../infra/sql/client.js';

export interface SdkCredential {
  id: string;
  environmentId: string;
  kind: 'server' | 'client';
}

const TTL_MS = 30_000;

/**
 * SDK credentials, cached: every SDK request would otherwise cost a store round trip, and a
 * stream node must keep serving the SDKs it knows while the store is down. Entries live 30 s;
 * revocation evicts at once (through the bus), and an expired entry is still used if the store
 * cannot be asked.
 */
export class SdkCredentialCache {
  readonly #entries = new Map<string, { value: SdkCredential | undefined; at: number; expiresAt: number | null }>();
  constructor(private readonly sql: Sql) {}

  async resolve(secret: string, now = Date.now()): Promise<SdkCredential | undefined> {
    if (!secret.startsWith(PREFIX.serverKey) && !secret.startsWith(PREFIX.clientId)) return undefined;
    const cached = this.#entries.get(secret);
    const fresh = cached && now - cached.at < TTL_MS && (cached.expiresAt === null || cached.expiresAt > now);
    if (cached && fresh) return cached.value;
    try {
      const key = secret.startsWith(PREFIX.serverKey)
        ? await lookupSdkKey(this.sql, { secretHash: hashSecret(secret) })
        : await lookupSdkKey(this.sql, { publicId: secret });
      const active = key && statusOf(key.revokedAt, key.expiresAt, new Date(now)) === 'active';
      const value = active ? { id: key.id, environmentId: key.environmentId, kind: key.kind } : undefined;
      if (this.#entries.size > 100_000) this.#entries.clear();
      this.#entries.set(secret, { value, at: now, expiresAt: key?.expiresAt ? key.expiresAt.getTime() : null });
      return value;
    } catch (err) {
      // Store unreachable: a credential we knew keeps working; one we never saw cannot be checked.
      if (cached?.value && (cached.expiresAt === null || cached.expiresAt > now)) return cached.value;
      throw err;
    }
  }

  /** Drops every cached secret of a revoked credential. */
  evict(credentialId: string): void {
    for (const [secret, e] of this.#entries) if (e.value?.id === credentialId) this.#entries.delete(secret);
  }
}
