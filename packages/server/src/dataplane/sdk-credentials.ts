import { statusOf } from '../credentials/expiry.js';
import { lookupSdkKey } from '../credentials/sdk-key-store.js';
import { hashSecret, PREFIX } from '../credentials/secrets.js';
import type { Sql } from '../infra/sql/client.js';
import { noSharedCredentials, type SharedCredentials } from './shared-credentials.js';

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
 * cannot be asked. What the store confirmed is also shared with other nodes (Redis), so that a
 * node that starts during a store outage admits the SDKs the others admitted.
 */
export class SdkCredentialCache {
  readonly #entries = new Map<string, { value: SdkCredential | undefined; at: number; expiresAt: number | null }>();
  constructor(
    private readonly sql: Sql,
    private readonly shared: SharedCredentials = noSharedCredentials,
  ) {}

  async resolve(secret: string, now = Date.now()): Promise<SdkCredential | undefined> {
    if (!secret.startsWith(PREFIX.serverKey) && !secret.startsWith(PREFIX.clientId)) return undefined;
    const cached = this.#entries.get(secret);
    const fresh = cached && now - cached.at < TTL_MS && (cached.expiresAt === null || cached.expiresAt > now);
    if (cached && fresh) return cached.value;
    const hash = hashSecret(secret);
    try {
      const key = secret.startsWith(PREFIX.serverKey)
        ? await lookupSdkKey(this.sql, { secretHash: hash })
        : await lookupSdkKey(this.sql, { publicId: secret });
      const active = key && statusOf(key.revokedAt, key.expiresAt, new Date(now)) === 'active';
      const value = active ? { id: key.id, environmentId: key.environmentId, kind: key.kind } : undefined;
      const expiresAt = key?.expiresAt ? key.expiresAt.getTime() : null;
      this.#remember(secret, value, now, expiresAt);
      if (value) void this.shared.put(hash, { ...value, expiresAt });
      return value;
    } catch (err) {
      // Store unreachable: a credential this node or another one verified keeps working; one
      // nobody verified cannot be checked.
      if (cached?.value && (cached.expiresAt === null || cached.expiresAt > now)) return cached.value;
      const shared = await this.shared.get(hash);
      if (!shared || (shared.expiresAt !== null && shared.expiresAt <= now)) throw err;
      const value = { id: shared.id, environmentId: shared.environmentId, kind: shared.kind };
      this.#remember(secret, value, now, shared.expiresAt);
      return value;
    }
  }

  #remember(secret: string, value: SdkCredential | undefined, at: number, expiresAt: number | null): void {
    if (this.#entries.size > 100_000) this.#entries.clear();
    this.#entries.set(secret, { value, at, expiresAt });
  }

  /** Drops every cached secret of a revoked credential, here and in the shared copy. */
  evict(credentialId: string): void {
    for (const [secret, e] of this.#entries) if (e.value?.id === credentialId) this.#entries.delete(secret);
    void this.shared.revoked(credentialId);
  }
}
