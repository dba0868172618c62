import { connectRedis } from './redis-connection.js';

/** What a stream node needs to know of an SDK credential to admit a request. */
export interface SharedCredential {
  id: string;
  environmentId: string;
  kind: 'server' | 'client';
  /** Epoch ms after which the credential no longer works (end of a rotation's grace), or null. */
  expiresAt: number | null;
}

/**
 * SDK credentials that stream nodes verified against the store, shared through Redis by the
 * SHA-256 of the secret (never the secret), so that a node started while PostgreSQL is down can
 * still admit the SDKs other nodes admitted. Revocations are recorded here too: a revoked
 * credential is never answered from the shared copy. A failure is never fatal: callers then
 * answer 503 as they would without it.
 */
export interface SharedCredentials {
  get(secretHash: string): Promise<SharedCredential | undefined>;
  put(secretHash: string, credential: SharedCredential): Promise<void>;
  revoked(credentialId: string): Promise<void>;
  close(): Promise<void>;
}

/** A single process has nothing to share: its own credential cache already holds what it saw. */
export const noSharedCredentials: SharedCredentials = {
  get: async () => undefined,
  put: async () => {},
  revoked: async () => {},
  close: async () => {},
};

const entryKey = (hash: string) => `vexil:credential:${hash}`;
const revokedKey = (id: string) => `vexil:credential-revoked:${id}`;
/** A shared entry outlives any outage worth riding out; a revocation mark outlives every entry it covers. */
const ENTRY_TTL_S = 24 * 3600;

export async function redisCredentials(url: string): Promise<SharedCredentials> {
  const redis = await connectRedis(url);
  return {
    async get(secretHash) {
      try {
        const json = await redis.get(entryKey(secretHash));
        if (!json) return undefined;
        const c = JSON.parse(json) as SharedCredential;
        return (await redis.exists(revokedKey(c.id))) ? undefined : c;
      } catch {
        return undefined;
      }
    },
    async put(secretHash, credential) {
      try {
        await redis.set(entryKey(secretHash), JSON.stringify(credential), 'EX', ENTRY_TTL_S);
      } catch {
        // Only a later cold start during a store outage misses it.
      }
    },
    async revoked(credentialId) {
      try {
        await redis.set(revokedKey(credentialId), '1', 'EX', 2 * ENTRY_TTL_S);
      } catch {
        // Stream nodes also record it when the revocation reaches them over the bus.
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
