export const name = '0002-audit-query-indexes';

/**
 * Indexes for the audit query API (audit/audit-query.ts), chosen from EXPLAIN ANALYZE on
 * PostgreSQL with 1M events (bench/audit): each typical filter gets an index that either yields
 * rows in id DESC order (a page is then the first 51 index entries) or, for time ranges, lets the
 * candidate ids be collected index-only before the top-N sort. Actions are compared in the C
 * collation, so a prefix (`flag.`) is an index range under any database collation.
 */
export const sql = /* sql */ `
CREATE INDEX audit_events_project_actor ON audit_events (project_id, actor_id, id DESC);
CREATE INDEX audit_events_project_action ON audit_events (project_id, (action COLLATE "C"), id DESC);
CREATE INDEX audit_events_action ON audit_events ((action COLLATE "C"), id DESC);
CREATE INDEX audit_events_resource_key ON audit_events (resource_key, id DESC);
CREATE INDEX audit_events_project_at ON audit_events (project_id, at, id);
CREATE INDEX audit_events_at_id ON audit_events (at, id);
`;
