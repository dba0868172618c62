import { schema as t } from '@vexil/core';
import { invalid } from '../errors/errors.js';
import type { Sql } from '../infra/sql/client.js';

const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';
const text = (description: string) => t.optional(t.string({ minLength: 1, maxLength: 256, description }));

const filterProps = {
  resourceType: text('Exact resource type: flag, segment, environment, project, user, token.'),
  resourceKey: text('Exact resource key (a flag key, a segment key, …).'),
  actor: text('Exact actor id (a user id or an API token id).'),
  action: text('An exact action (flag.update) or a prefix ending in "." (flag.), also written flag.*'),
  environment: text('Exact environment key.'),
  from: t.optional(t.string({ pattern: RFC3339, description: 'RFC 3339 time; events at or after it.' })),
  to: t.optional(t.string({ pattern: RFC3339, description: 'RFC 3339 time; events strictly before it.' })),
  limit: t.optional(t.string({ pattern: '^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', description: '1..200, default 50.' })),
  cursor: t.optional(t.string({ maxLength: 64, description: 'nextCursor of the previous page.' })),
};

export const projectAuditQuery = t.object(filterProps);
export type ProjectAuditQuery = t.Static<typeof projectAuditQuery>;

export const installationAuditQuery = t.object({
  ...filterProps,
  project: text('A project key (or the id of a deleted project): only that project’s chain.'),
});
export type InstallationAuditQuery = t.Static<typeof installationAuditQuery>;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Validated filters. `chain`: undefined = every chain; null = installation-wide events; else a project id. */
export interface AuditFilters {
  chain?: string | null | undefined;
  resourceType?: string | undefined;
  resourceKey?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  actionPrefix?: string | undefined;
  environment?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset: only events with an id below this one (the last id of the previous page). */
  beforeId?: number | undefined;
  limit: number;
}

export interface AuditItem {
  id: number;
  /** The project's key; its id when the project was since deleted; null for installation-wide events. */
  project: string | null;
  projectId: string | null;
  seq: number;
  at: string;
  actor: { type: string; id: string; name: string };
  action: string;
  resource: { type: string; key: string };
  environment: string | null;
  before: unknown;
  after: unknown;
  comment: string;
  requestId: string;
  hash: string;
  prevHash: string;
}

export interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: a version tag and the last id seen, base64url. */
export const encodeAuditCursor = (id: number) => Buffer.from(`a1:${id}`, 'utf8').toString('base64url');
export function decodeAuditCursor(c: string): number | undefined {
  const m = /^a1:(\d{1,15})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

/**
 * Turns query parameters (already shape-checked by the route schema) into filters; semantic
 * problems are reported together, each with its path (`/query/from`, …), as validation errors.
 */
export function parseAuditQuery(q: ProjectAuditQuery): AuditFilters {
  const issues: { path: string; code: string; message: string }[] = [];
  const time = (name: 'from' | 'to') => {
    const v = q[name];
    if (v === undefined) return undefined;
    const d = new Date(v.toUpperCase());
    // The pattern admits 2024-02-31 or 25:00; the date parser rejects those (or rolls them over).
    const ok = !Number.isNaN(d.getTime()) && validCalendar(v);
    if (!ok) issues.push({ path: `/query/${name}`, code: 'invalid_format', message: 'must be an RFC 3339 date-time' });
    return ok ? d : undefined;
  };
  const from = time('from');
  const to = time('to');
  if (from && to && from.getTime() > to.getTime())
    issues.push({ path: '/query/to', code: 'invalid_range', message: 'must not be before from' });
  const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    issues.push({ path: '/query/limit', code: 'out_of_range', message: `must be between 1 and ${MAX_LIMIT}` });
  let beforeId: number | undefined;
  if (q.cursor !== undefined) {
    beforeId = decodeAuditCursor(q.cursor);
    if (beforeId === undefined)
      issues.push({ path: '/query/cursor', code: 'invalid_cursor', message: 'must be a nextCursor this API returned' });
  }
  let action: string | undefined;
  let actionPrefix: string | undefined;
  if (q.action !== undefined) {
    const a = q.action.endsWith('.*') ? q.action.slice(0, -1) : q.action;
    if (a.includes('*'))
      issues.push({
        path: '/query/action',
        code: 'invalid_format',
        message: 'only a trailing ".*" wildcard is allowed',
      });
    else if (a.endsWith('.')) actionPrefix = a;
    else action = a;
  }
  if (issues.length > 0) throw invalid(issues);
  return {
    resourceType: q.resourceType,
    resourceKey: q.resourceKey,
    actor: q.actor,
    action,
    actionPrefix,
    environment: q.environment,
    from,
    to,
    beforeId,
    limit,
  };
}

function validCalendar(v: string): boolean {
  const [y, mo, d, h, mi, s] = [
    v.slice(0, 4),
    v.slice(5, 7),
    v.slice(8, 10),
    v.slice(11, 13),
    v.slice(14, 16),
    v.slice(17, 19),
  ].map(Number);
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined || s === undefined)
    return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && s <= 60;
}

interface EventRow {
  id: number | string;
  project_id: string | null;
  project_key: string | null;
  seq: number | string;
  at: Date | string;
  actor_type: string;
  actor_id: string;
  actor_name: string;
  action: string;
  resource_type: string;
  resource_key: string;
  environment_key: string | null;
  before: unknown;
  after: unknown;
  comment: string;
  request_id: string;
  prev_hash: string;
  hash: string;
}

/** Builds the WHERE clause and its parameters; exported for the benchmark's EXPLAIN. */
export function auditWhere(f: AuditFilters): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.chain === null) conds.push('project_id IS NULL');
  else if (f.chain !== undefined) conds.push(`project_id = ${p(f.chain)}`);
  if (f.resourceType !== undefined) conds.push(`resource_type = ${p(f.resourceType)}`);
  if (f.resourceKey !== undefined) conds.push(`resource_key = ${p(f.resourceKey)}`);
  if (f.actor !== undefined) conds.push(`actor_id = ${p(f.actor)}`);
  if (f.action !== undefined) conds.push(`action COLLATE "C" = ${p(f.action)}`);
  if (f.actionPrefix !== undefined) {
    // A byte-order range (C collation, whatever the database's): [prefix, prefix with its last character bumped).
    const lo = f.actionPrefix;
    const hi = lo.slice(0, -1) + String.fromCharCode(lo.charCodeAt(lo.length - 1) + 1);
    conds.push(`action COLLATE "C" >= ${p(lo)} AND action COLLATE "C" < ${p(hi)}`);
  }
  if (f.environment !== undefined) conds.push(`environment_key = ${p(f.environment)}`);
  if (f.from !== undefined) conds.push(`at >= ${p(f.from.toISOString())}`);
  if (f.to !== undefined) conds.push(`at < ${p(f.to.toISOString())}`);
  if (f.beforeId !== undefined) conds.push(`id < ${p(f.beforeId)}`);
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

const COLUMNS = `id, project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
  environment_key, before, after, comment, request_id, prev_hash, hash`;

/** The page query: newest first by keyset on id, then the page's project keys. */
export function auditSql(f: AuditFilters): { text: string; params: unknown[] } {
  const { where, params } = auditWhere(f);
  params.push(f.limit + 1);
  const text = `SELECT e.*, p.key AS project_key FROM (
      SELECT ${COLUMNS} FROM audit_events ${where} ORDER BY id DESC LIMIT $${params.length}
    ) e LEFT JOIN projects p ON p.id = e.project_id ORDER BY e.id DESC`;
  return { text, params };
}

/**
 * Time-range candidates above this many fall back to auditSql. Below it, collecting every matching
 * id through the (project_id, at, id) or (at, id) index and sorting them beats walking ids down
 * from the newest, which the planner would otherwise pick: it assumes the range's rows are spread
 * evenly over ids, while in an append-only log they sit together, possibly far from the top.
 */
export const RANGE_CANDIDATE_CAP = 50_000;

/** The page query for time ranges: candidates first (materialized, capped), then the top ids. */
export function auditRangeSql(f: AuditFilters, cap = RANGE_CANDIDATE_CAP): { text: string; params: unknown[] } {
  const { where, params } = auditWhere(f);
  params.push(cap + 1, f.limit + 1);
  const text = `WITH r AS MATERIALIZED (SELECT id FROM audit_events ${where} LIMIT $${params.length - 1}),
      page AS (SELECT id FROM r ORDER BY id DESC LIMIT $${params.length})
    SELECT e.*, p.key AS project_key, (SELECT count(*) FROM r) AS candidates
    FROM page JOIN audit_events e ON e.id = page.id LEFT JOIN projects p ON p.id = e.project_id
    ORDER BY e.id DESC`;
  return { text, params };
}

/** One page of audit events matching the filters, newest first. */
export async function queryAudit(sql: Sql, f: AuditFilters, cap = RANGE_CANDIDATE_CAP): Promise<AuditPage> {
  if (f.from !== undefined || f.to !== undefined) {
    const { text, params } = auditRangeSql(f, cap);
    const rows = await sql.query<EventRow & { candidates: number | string }>(text, params);
    if (rows.length === 0 || Number(rows[0]?.candidates) <= cap) return page(rows, f.limit);
  }
  const { text, params } = auditSql(f);
  return page(await sql.query<EventRow>(text, params), f.limit);
}

function page(rows: EventRow[], limit: number): AuditPage {
  const items = rows.slice(0, limit).map(toItem);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeAuditCursor(last.id) : null };
}

const toItem = (r: EventRow): AuditItem => ({
  id: Number(r.id),
  project: r.project_id === null ? null : (r.project_key ?? r.project_id),
  projectId: r.project_id,
  seq: Number(r.seq),
  at: new Date(r.at).toISOString(),
  actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
  action: r.action,
  resource: { type: r.resource_type, key: r.resource_key },
  environment: r.environment_key,
  before: r.before ?? null,
  after: r.after ?? null,
  comment: r.comment,
  requestId: r.request_id,
  hash: r.hash,
  prevHash: r.prev_hash,
});
