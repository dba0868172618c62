import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { CommitListener } from './changes/mutation.js';
import { ERROR_CODES } from './errors/errors.js';
import { FlagService } from './flags/flag-service.js';
import { createHttp } from './http/app.js';
import { PROBLEM_BASE } from './http/problem.js';
import { auditRoutes } from './http/routes/audit.js';
import { flagRoutes } from './http/routes/flags.js';
import { projectRoutes } from './http/routes/projects.js';
import { segmentRoutes } from './http/routes/segments.js';
import type { SqlClient } from './infra/sql/client.js';
import { migrate } from './infra/sql/migrate.js';
import { ProjectService } from './projects/project-service.js';
import { SegmentService } from './segments/segment-service.js';

export interface Vexil {
  http: FastifyInstance;
  db: SqlClient;
  projects: ProjectService;
  flags: FlagService;
  segments: SegmentService;
  close(): Promise<void>;
}

export interface VexilOptions {
  db: SqlClient;
  onCommit?: CommitListener;
  log?: (line: Record<string, unknown>) => void;
}

/** The composition root: migrates the store, wires services and routes. Listening is the caller's choice. */
export async function createVexil(opts: VexilOptions): Promise<Vexil> {
  const { db } = opts;
  await migrate(db);
  const deps = { db, ...(opts.onCommit ? { onCommit: opts.onCommit } : {}) };
  const projects = new ProjectService(deps);
  const flags = new FlagService(deps);
  const segments = new SegmentService(deps);

  const http = createHttp({ db, ...(opts.log ? { log: opts.log } : {}) });
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

  projectRoutes(http, { db, projects });
  flagRoutes(http, { db, projects, flags });
  segmentRoutes(http, { projects, segments });
  auditRoutes(http, { db, projects });

  await http.ready();
  return {
    http,
    db,
    projects,
    flags,
    segments,
    async close() {
      await http.close();
      await db.close();
    },
  };
}
