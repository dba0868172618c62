import { Redis } from 'ioredis';
import type { ChangeBus } from './bus.js';
import type { BusMessage } from './messages.js';

export const CHANNEL = 'vexil:changes';

/**
 * Redis pub/sub. Publishing fails while Redis is down (the outbox keeps the change and the
 * publisher retries); subscribers reconnect on their own and report it, so stream nodes can
 * re-check their sequence against the cache and the store.
 */
export async function redisBus(url: string): Promise<ChangeBus> {
  const options = {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    retryStrategy: (n: number) => Math.min(50 * 2 ** n, 2000),
  };
  const pub = new Redis(url, options);
  const sub = new Redis(url, { ...options, maxRetriesPerRequest: null, enableOfflineQueue: true });
  // Errors surface through failed publishes and reconnects; unhandled 'error' events would crash.
  pub.on('error', () => {});
  sub.on('error', () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  await sub.subscribe(CHANNEL);

  const handlers = new Set<(m: BusMessage) => void>();
  const reconnects = new Set<() => void>();
  sub.on('message', (_channel: string, raw: string) => {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    for (const h of handlers) h(message);
  });
  let everReady = true;
  sub.on('close', () => {
    everReady = false;
  });
  sub.on('ready', () => {
    if (everReady) return;
    everReady = true;
    for (const r of reconnects) r();
  });

  return {
    async publish(message) {
      await pub.publish(CHANNEL, JSON.stringify(message));
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onReconnect(handler) {
      reconnects.add(handler);
      return () => reconnects.delete(handler);
    },
    async close() {
      handlers.clear();
      reconnects.clear();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
