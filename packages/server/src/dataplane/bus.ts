import type { BusMessage } from './messages.js';

/**
 * Fan-out of committed changes from whoever drains the outbox to every stream node. Delivery
 * may lose or repeat messages (Redis pub/sub is at-most-once); sequence numbers let receivers
 * drop repeats and notice gaps, and a gap makes them reload from the cache or the store.
 */
export interface ChangeBus {
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: (message: BusMessage) => void): () => void;
  /** Called when the bus reconnects after an outage, during which messages may have been lost. */
  onReconnect(handler: () => void): () => void;
  close(): Promise<void>;
}

/**
 * The embedded default: one process, delivery by direct call. A failing subscriber is its own
 * problem: it must not make the publish fail, or the outbox would redeliver to everyone.
 */
export function memoryBus(onError: (err: unknown) => void = () => {}): ChangeBus {
  const handlers = new Set<(m: BusMessage) => void>();
  return {
    async publish(message) {
      for (const h of handlers) {
        try {
          h(message);
        } catch (err) {
          onError(err);
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onReconnect() {
      return () => {};
    },
    async close() {
      handlers.clear();
    },
  };
}
