import type { EnvironmentSnapshot } from './messages.js';
import { connectRedis } from './redis-connection.js';

/**
 * Environment snapshots shared by stream nodes, so a node that starts cold (or sees a gap)
 * does not have to go to the store. A cache failure is never fatal: callers fall back to the store.
 */
export interface SnapshotCache {
  get(environmentId: string): Promise<EnvironmentSnapshot | undefined>;
  /** Stores the snapshot unless the cache already holds a newer one. */
  put(snapshot: EnvironmentSnapshot): Promise<void>;
  close(): Promise<void>;
}

export function memoryCache(): SnapshotCache {
  const map = new Map<string, EnvironmentSnapshot>();
  return {
    async get(id) {
      return map.get(id);
    },
    async put(s) {
      const old = map.get(s.environmentId);
      if (!old || old.seq < s.seq) map.set(s.environmentId, s);
    },
    async close() {
      map.clear();
    },
  };
}

const key = (id: string) => `vexil:snapshot:${id}`;

// Compare-and-set in one round trip: only a newer sequence replaces the cached snapshot.
const PUT_IF_NEWER = `
local cur = redis.call('HGET', KEYS[1], 'seq')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'json', ARGV[2])
return 1`;

export async function redisCache(url: string): Promise<SnapshotCache> {
  const redis = await connectRedis(url);
  return {
    async get(id) {
      try {
        const json = await redis.hget(key(id), 'json');
        return json ? (JSON.parse(json) as EnvironmentSnapshot) : undefined;
      } catch {
        return undefined;
      }
    },
    async put(s) {
      try {
        await redis.eval(PUT_IF_NEWER, 1, key(s.environmentId), String(s.seq), JSON.stringify(s));
      } catch {
        // A stale or missing cache entry only costs the next cold node a store read.
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
