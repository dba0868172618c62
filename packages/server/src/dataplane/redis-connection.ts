import { Redis } from 'ioredis';

/**
 * A Redis connection for request/response use by the data plane: a command fails at once while
 * Redis is down (no offline queue, one retry), so callers fall back to the store instead of
 * waiting; the connection itself keeps reconnecting with backoff. Errors surface through the
 * failed commands; an unhandled 'error' event would crash the process.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    retryStrategy: (n) => Math.min(50 * 2 ** n, 2000),
  });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}
