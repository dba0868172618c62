import type { FastifyInstance } from 'fastify';
import {
  type InstallationAuditQuery,
  installationAuditQuery,
  type ProjectAuditQuery,
  parseAuditQuery,
  projectAuditQuery,
  queryAudit,
} from '../../audit/audit-query.js';
import type { SqlClient } from '../../infra/sql/client.js';
import type { ProjectService } from '../../projects/project-service.js';
import { findProject } from '../../projects/project-store.js';
import { requireRole } from '../request-context.js';
import { projectParams } from './params.js';

type P = { project: string };

const FILTERS =
  'Filter by resource (resourceType, resourceKey), actor (id), action (exact, or a prefix such as `flag.`), environment and time (from inclusive, to exclusive, RFC 3339); newest first, paginated with nextCursor.';

export function auditRoutes(app: FastifyInstance, { db, projects }: { db: SqlClient; projects: ProjectService }) {
  const tags = ['audit'];

  app.get<{ Params: P; Querystring: ProjectAuditQuery }>(
    '/api/v1/projects/:project/audit',
    {
      schema: {
        tags,
        summary: "A project's audit log (project viewers)",
        description: FILTERS,
        params: projectParams,
        querystring: projectAuditQuery,
      },
    },
    async (req) => {
      const project = await projects.get(req.params.project);
      requireRole(req, 'viewer', { projectId: project.id });
      return queryAudit(db, { ...parseAuditQuery(req.query), chain: project.id });
    },
  );

  app.get<{ Querystring: InstallationAuditQuery }>(
    '/api/v1/audit',
    {
      schema: {
        tags,
        summary: 'The whole audit log: every project and installation-wide events (administrators)',
        description: `${FILTERS} \`project\` narrows to one project's chain (a key, or the id of a deleted project).`,
        querystring: installationAuditQuery,
      },
    },
    async (req) => {
      requireRole(req, 'admin');
      const { project, ...rest } = req.query;
      const filters = parseAuditQuery(rest);
      // A deleted project's events outlive it: its id still selects them.
      const chain = project === undefined ? undefined : ((await findProject(db, project))?.id ?? project);
      return queryAudit(db, { ...filters, chain });
    },
  );
}
