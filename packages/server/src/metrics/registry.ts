import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeRole } from '../config.js';
import type { StreamConnections } from '../dataplane/connections.js';
import type { OutboxPublisher } from '../dataplane/outbox-publisher.js';
import type { StreamHub } from '../dataplane/stream-hub.js';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';

export interface DataPlaneSources {
  hub?: StreamHub | undefined;
  connections?: StreamConnections | undefined;
  publisher?: OutboxPublisher | undefined;
  dispatcher?: WebhookDispatcher | undefined;
}

/** A counter whose total another component keeps: read at each scrape. */
function totalOf(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * The node's metrics in Prometheus form: the process (CPU, memory, event-loop lag, GC) and HTTP
 * requests by route. Called before routes are added, so that the request hook sees them all.
 */
export function createMetrics(http: FastifyInstance, src: { role: NodeRole; version: string }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'vexil_build_info',
    help: 'Always 1; the labels say which Vexil this is and the role it runs.',
    labelNames: ['version', 'role'],
    registers: [registry],
  }).set({ version: src.version, role: src.role }, 1);

  // Requests by route pattern (never the raw URL: keys and contexts must not become labels).
  const requests = new Counter({
    name: 'vexil_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'vexil_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route and method (streams: time to the response head).',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Label lookups hash their values: each route's children are looked up once.
  const counted = new Map<string, Counter.Internal>();
  const timed = new Map<string, Histogram.Internal<'route' | 'method'>>();
  http.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${route}`;
    let h = timed.get(key);
    if (!h) timed.set(key, (h = durations.labels(route, req.method)));
    h.observe(reply.elapsedTime / 1000);
    const ckey = `${key} ${reply.statusCode}`;
    let c = counted.get(ckey);
    if (!c) counted.set(ckey, (c = requests.labels(route, req.method, String(reply.statusCode))));
    c.inc();
  });
  return registry;
}

/**
 * What the data plane counts: open streams, refusals at the per-key limit, slow readers cut off,
 * changes applied, gaps and reloads, changes published.
 */
export function addDataPlaneMetrics(
  registry: Registry,
  { hub, connections, publisher, dispatcher }: DataPlaneSources,
): void {
  if (connections) {
    new Gauge({
      name: 'vexil_stream_connections',
      help: 'SDK streams open on this node (server SDKs and browsers).',
      registers: [registry],
      collect() {
        this.set(connections.size);
      },
    });
    totalOf(
      registry,
      'vexil_stream_refused_total',
      'Streams refused because their key was at its connection limit (answered 429).',
      () => connections.stats.refused,
    );
    totalOf(
      registry,
      'vexil_stream_slow_disconnects_total',
      'Streams cut off for falling behind their send buffer bound (they resume with Last-Event-ID).',
      () => connections.stats.slowDisconnects,
    );
  }
  if (hub) {
    new Gauge({
      name: 'vexil_feed_environments',
      help: 'Environments this stream node holds in memory.',
      registers: [registry],
      collect() {
        this.set(hub.feedCount);
      },
    });
    totalOf(
      registry,
      'vexil_feed_changes_applied_total',
      'Changes applied in sequence from the bus.',
      () => hub.stats.applied,
    );
    totalOf(
      registry,
      'vexil_feed_gaps_total',
      'Sequence gaps seen on the bus (each triggers a reload).',
      () => hub.stats.gaps,
    );
    totalOf(
      registry,
      'vexil_feed_reloads_total',
      'Snapshots reloaded from the cache or the store.',
      () => hub.stats.reloads,
    );
  }
  if (publisher) {
    totalOf(
      registry,
      'vexil_outbox_published_total',
      'Changes published from the outbox to the bus.',
      () => publisher.stats.published,
    );
    totalOf(
      registry,
      'vexil_outbox_publish_failures_total',
      'Failed publish attempts (the changes stay in the outbox and are retried).',
      () => publisher.stats.failures,
    );
  }
  if (dispatcher) {
    totalOf(
      registry,
      'vexil_webhook_deliveries_total',
      'Webhook deliveries acknowledged (2xx).',
      () => dispatcher.stats.delivered,
    );
    totalOf(
      registry,
      'vexil_webhook_failed_attempts_total',
      'Webhook delivery attempts that failed (retried with backoff).',
      () => dispatcher.stats.failedAttempts,
    );
    totalOf(
      registry,
      'vexil_webhook_gave_up_total',
      'Webhook deliveries marked failed after their last attempt.',
      () => dispatcher.stats.gaveUp,
    );
  }
}
