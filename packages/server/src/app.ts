import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { CommitListener } from './changes/mutation.js';
import type { NodeRole, TrustProxy } from './config.js';
import { SdkKeyService } from './credentials/sdk-key-service.js';
import { TokenService } from './credentials/token-service.js';
import { type ChangeBus, memoryBus } from './dataplane/bus.js';
import { StreamConnections } from './dataplane/connections.js';
import { OutboxPublisher } from './dataplane/outbox-publisher.js';
import { SdkCredentialCache } from './dataplane/sdk-credentials.js';
import { noSharedCredentials, type SharedCredentials } from './dataplane/shared-credentials.js';
import { memoryCache, type SnapshotCache } from './dataplane/snapshot-cache.js';
import { StreamHub } from './dataplane/stream-hub.js';
import { ERROR_CODES } from './errors/errors.js';
import { FlagService } from './flags/flag-service.js';
import { createHttp } from './http/app.js';
import { AllowedOrigins, corsPreflightRoutes } from './http/cors.js';
import { PROBLEM_BASE } from './http/problem.js';
import { collectRoutes, type RouteEntry } from './http/route-table.js';
import { auditRoutes } from './http/routes/audit.js';
import { clientRoutes } from './http/routes/client.js';
import { dashboardDir, dashboardRoutes } from './http/routes/dashboard.js';
import { eventRoutes } from './http/routes/events.js';
import { flagRoutes } from './http/routes/flags.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { ofrepRoutes } from './http/routes/ofrep.js';
import { projectRoutes } from './http/routes/projects.js';
import { sdkRoutes } from './http/routes/sdk.js';
import { sdkKeyRoutes } from './http/routes/sdk-keys.js';
import { segmentRoutes } from './http/routes/segments.js';
import { sessionRoutes } from './http/routes/session.js';
import { tokenRoutes } from './http/routes/tokens.js';
import { userRoutes } from './http/routes/users.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import type { SqlClient } from './infra/sql/client.js';
import { StoreUnavailableError } from './infra/sql/errors.js';
import { migrate } from './infra/sql/migrate.js';
import { addDataPlaneMetrics, createMetrics } from './metrics/registry.js';
import { ProjectService } from './projects/project-service.js';
import { SegmentService } from './segments/segment-service.js';
import { SessionService } from './users/session-service.js';
import { UserService } from './users/user-service.js';
import { type DispatcherOptions, WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { WebhookService } from './webhooks/webhook-service.js';

export interface Vexil {
  http: FastifyInstance;
  /** Present on api and all nodes. */
  publisher: OutboxPublisher | undefined;
  /** Present on api and all nodes: sends webhook deliveries. */
  dispatcher: WebhookDispatcher | undefined;
  /** Present on stream and all nodes. */
  hub: StreamHub | undefined;
  connections: StreamConnections | undefined;
  db: SqlClient;
  projects: ProjectService;
  flags: FlagService;
  segments: SegmentService;
  /** Every registered route (method, url, public), for the authorization matrix. */
  routes: readonly RouteEntry[];
  close(): Promise<void>;
}

export interface VexilOptions {
  db: SqlClient;
  onCommit?: CommitListener;
  log?: (line: Record<string, unknown>) => void;
  /** Always mark the session cookie Secure (TLS ends at a proxy). Default: VEXIL_COOKIE_SECURE is set. */
  cookieSecure?: boolean;
  /** `api`: control plane and outbox publisher; `stream`: SDK endpoints; `all` (default): both. */
  role?: NodeRole;
  /** Change fan-out between nodes; default in-process (one node). */
  bus?: ChangeBus;
  /** Shared environment snapshots; default in memory. */
  cache?: SnapshotCache;
  /** Webhook delivery settings (tests shorten the retry delays). */
  webhooks?: Pick<DispatcherOptions, 'pollMs' | 'timeoutMs' | 'retryDelaysS'>;
  /** Proxies whose X-Forwarded-For gives the client address (VEXIL_TRUST_PROXY); default none. */
  trustProxy?: TrustProxy;
  /** SDK credentials verified by any node, for nodes that start while the store is down; default none. */
  sharedCredentials?: SharedCredentials;
  stream?: {
    heartbeatMs?: number;
    maxPerCredential?: number;
    maxBufferedBytes?: number;
    checkMs?: number;
    recheckMs?: number;
  };
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** The composition root: migrates the store, wires services and routes. Listening is the caller's choice. */
export async function createVexil(opts: VexilOptions): Promise<Vexil> {
  const { db } = opts;
  const role = opts.role ?? 'all';
  const sharedCredentials = opts.sharedCredentials ?? noSharedCredentials;
  try {
    await migrate(db);
  } catch (err) {
    // A stream node only reads, and serves from the shared cache while the store is down:
    // migrating is left to api nodes, so that a stream node can start during an outage.
    if (role !== 'stream' || !(err instanceof StoreUnavailableError)) throw err;
    opts.log?.({
      level: 'warn',
      msg: 'store unreachable at start: serving from the shared cache until it answers',
      error: String(err),
    });
  }
  const bus =
    opts.bus ??
    memoryBus((err) =>
      opts.log?.({ level: 'error', msg: 'change subscriber failed', error: String((err as Error)?.stack ?? err) }),
    );
  const cache = opts.cache ?? memoryCache();
  const publisher = role === 'stream' ? undefined : new OutboxPublisher({ db, bus });
  // Api nodes send webhooks; deliveries are queued in the writes' own transactions.
  const dispatcher =
    role === 'stream'
      ? undefined
      : new WebhookDispatcher({
          db,
          ...(opts.webhooks ?? {}),
          ...(opts.log ? { log: opts.log } : {}),
        });
  // A commit kicks the publisher at once; its poll only catches what a crash left behind.
  const onCommit: CommitListener = (environmentIds) => {
    opts.onCommit?.(environmentIds);
    void publisher?.kick();
    void dispatcher?.kick();
  };
  const deps = { db, onCommit };
  // Best effort: a node that misses it reads the settings again within 15 s anyway.
  const onSettingsChanged = (environmentId: string) => {
    bus
      .publish({ type: 'environment', environmentId })
      .catch((err) =>
        opts.log?.({ level: 'warn', msg: 'environment settings change not broadcast', error: String(err) }),
      );
  };
  const projects = new ProjectService({ ...deps, onSettingsChanged });
  const flags = new FlagService(deps);
  const segments = new SegmentService(deps);

  const http = createHttp({
    db,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
  });
  const routes = collectRoutes(http);
  const registry = createMetrics(http, { role, version: VERSION });
  await http.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vexil API',
        version: '1',
        description: `Flag management API. Errors are RFC 9457 problem documents (application/problem+json) whose \`type\` is ${PROBLEM_BASE}<code>; codes: ${Object.keys(ERROR_CODES).join(', ')}.`,
      },
      components: {
        securitySchemes: {
          apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (vxa_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'vexil_session' },
        },
      },
      security: [{ apiToken: [] }, { session: [] }],
    },
  });
  await http.register(swaggerUi, { routePrefix: '/docs' });

  http.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => http.swagger());
  http.get('/health', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  let hub: StreamHub | undefined;
  let connections: StreamConnections | undefined;
  if (role !== 'api') {
    hub = new StreamHub({
      db,
      bus,
      cache,
      ...(opts.stream?.checkMs ? { checkMs: opts.stream.checkMs } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    connections = new StreamConnections({
      heartbeatMs: opts.stream?.heartbeatMs ?? 15_000,
      maxPerCredential: opts.stream?.maxPerCredential ?? 20_000,
      maxBufferedBytes: opts.stream?.maxBufferedBytes ?? 1 << 20,
      recheckMs: opts.stream?.recheckMs ?? 30_000,
      inactive: async (ids) =>
        (
          await db.query<{ id: string }>(
            'SELECT id FROM sdk_keys WHERE id = ANY($1::text[]) AND (revoked_at IS NOT NULL OR (expires_at IS NOT NULL AND expires_at <= now()))',
            [ids],
          )
        ).map((r) => r.id),
    });
    const credentials = new SdkCredentialCache(db, sharedCredentials);
    const open = connections;
    hub.onRevoked((id) => {
      credentials.evict(id);
      open.closeCredential(id);
    });
    sdkRoutes(http, { hub, credentials, connections });
    const origins = new AllowedOrigins(db);
    hub.onSettingsChanged((id) => origins.evict(id));
    eventRoutes(http, { db, credentials, origins });
    clientRoutes(http, { hub, credentials, connections, origins });
    ofrepRoutes(http, { hub, credentials, origins });
    corsPreflightRoutes(http, ['/client', '/ofrep', '/events']);
  }

  // The control plane lives on api and all nodes; a stream node only serves SDKs.
  if (role !== 'stream') {
    projectRoutes(http, { db, projects });
    flagRoutes(http, { db, projects, flags });
    segmentRoutes(http, { projects, segments });
    auditRoutes(http, { db, projects });
    tokenRoutes(http, { tokens: new TokenService({ db }) });
    const onRevoked = (credentialId: string) => {
      void sharedCredentials.revoked(credentialId);
      bus.publish({ type: 'revoked', credentialId }).catch((err) =>
        opts.log?.({
          level: 'warn',
          msg: 'revocation not broadcast; streams close at the next credential check',
          error: String(err),
        }),
      );
    };
    sdkKeyRoutes(http, { projects, sdkKeys: new SdkKeyService({ db, onRevoked }) });
    webhookRoutes(http, { projects, webhooks: new WebhookService({ db }) });
    userRoutes(http, { users: new UserService({ db }) });
    sessionRoutes(http, {
      sessions: new SessionService({ db }),
      cookieSecure: opts.cookieSecure ?? ['1', 'true', 'yes'].includes(process.env.VEXIL_COOKIE_SECURE ?? ''),
    });
    // The dashboard's static files (@vexil/dashboard) at `/`, on the same port as the API.
    dashboardRoutes(http, { dir: dashboardDir() });
  }

  addDataPlaneMetrics(registry, { hub, connections, publisher, dispatcher });
  metricsRoutes(http, { registry });

  await http.ready();
  return {
    http,
    db,
    projects,
    flags,
    segments,
    routes,
    publisher,
    dispatcher,
    hub,
    connections,
    async close() {
      connections?.closeAll();
      await hub?.close();
      await publisher?.close();
      await dispatcher?.close();
      await http.close();
      await bus.close();
      await cache.close();
      await sharedCredentials.close();
      await db.close();
    },
  };
}
