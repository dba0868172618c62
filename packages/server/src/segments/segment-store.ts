import type { Segment } from '@vexil/core';
import type { Sql } from '../infra/sql/client.js';

/** The evaluable part of a segment, as stored. */
export type SegmentConfig = Pick<Segment, 'included' | 'excluded' | 'rules' | 'salt'>;

export interface SegmentRow {
  id: string;
  environmentId: string;
  key: string;
  name: string;
  description: string;
  tags: string[];
  config: SegmentConfig;
  version: number;
  createdAt: string;
  updatedAt: string;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

const toSegment = (r: Row): SegmentRow => ({
  id: r.id as string,
  environmentId: r.environment_id as string,
  key: r.key as string,
  name: r.name as string,
  description: r.description as string,
  tags: r.tags as string[],
  config: r.config as SegmentConfig,
  version: Number(r.version),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export const evaluableSegment = (s: SegmentRow): Segment => ({ key: s.key, version: s.version, ...s.config });

export async function findSegment(sql: Sql, environmentId: string, key: string): Promise<SegmentRow | undefined> {
  const [row] = await sql.query('SELECT * FROM segments WHERE environment_id = $1 AND key = $2', [environmentId, key]);
  return row && toSegment(row);
}

export async function listSegments(sql: Sql, environmentId: string): Promise<SegmentRow[]> {
  return (await sql.query('SELECT * FROM segments WHERE environment_id = $1 ORDER BY key', [environmentId])).map(
    toSegment,
  );
}

export async function insertSegment(
  sql: Sql,
  s: Pick<SegmentRow, 'id' | 'environmentId' | 'key' | 'name' | 'description' | 'tags' | 'config'>,
): Promise<SegmentRow> {
  const [row] = await sql.query(
    'INSERT INTO segments (id, environment_id, key, name, description, tags, config) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *',
    [s.id, s.environmentId, s.key, s.name, s.description, JSON.stringify(s.tags), JSON.stringify(s.config)],
  );
  return toSegment(row as Row);
}

/** Replaces a segment; with `expectedVersion`, only if nobody wrote since (else undefined). */
export async function writeSegment(
  sql: Sql,
  id: string,
  s: Pick<SegmentRow, 'name' | 'description' | 'tags' | 'config'>,
  expectedVersion?: number,
): Promise<SegmentRow | undefined> {
  const params: unknown[] = [id, s.name, s.description, JSON.stringify(s.tags), JSON.stringify(s.config)];
  let guard = '';
  if (expectedVersion !== undefined) {
    params.push(expectedVersion);
    guard = ' AND version = $6';
  }
  const [row] = await sql.query(
    `UPDATE segments SET name = $2, description = $3, tags = $4, config = $5, version = version + 1, updated_at = now()
     WHERE id = $1${guard} RETURNING *`,
    params,
  );
  return row && toSegment(row);
}

export async function deleteSegment(sql: Sql, id: string): Promise<void> {
  await sql.query('DELETE FROM segments WHERE id = $1', [id]);
}

/** Keys of the flags (in the environment) and segments that refer to a segment. */
export async function segmentReferrers(sql: Sql, environmentId: string, key: string): Promise<string[]> {
  const needle = JSON.stringify([{ clauses: [{ op: 'segmentMatch', values: [key] }] }]);
  const flags = await sql.query<{ key: string }>(
    `SELECT f.key FROM flags f JOIN flag_configs c ON c.flag_id = f.id
     WHERE c.environment_id = $1 AND c.config->'rules' @> $2::jsonb`,
    [environmentId, needle],
  );
  const segments = await sql.query<{ key: string }>(
    `SELECT key FROM segments WHERE environment_id = $1 AND config->'rules' @> $2::jsonb`,
    [environmentId, needle],
  );
  return [...flags.map((r) => `flag ${r.key}`), ...segments.map((r) => `segment ${r.key}`)];
}
