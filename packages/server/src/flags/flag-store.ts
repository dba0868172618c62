import type { Flag, FlagKind, Variation } from '@vexil/core';
import type { Sql } from '../infra/sql/client.js';
import type { FlagConfig } from './flag-schemas.js';

/** A flag's project-wide definition. */
export interface FlagDefinition {
  id: string;
  projectId: string;
  key: string;
  name: string;
  description: string;
  kind: FlagKind;
  variations: Variation[];
  tags: string[];
  temporary: boolean;
  maintainer: string | null;
  clientVisible: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConfigRow {
  flagId: string;
  environmentId: string;
  config: FlagConfig;
  version: number;
  updatedAt: string;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

const toFlag = (r: Row): FlagDefinition => ({
  id: r.id as string,
  projectId: r.project_id as string,
  key: r.key as string,
  name: r.name as string,
  description: r.description as string,
  kind: r.kind as FlagKind,
  variations: r.variations as Variation[],
  tags: r.tags as string[],
  temporary: r.temporary as boolean,
  maintainer: (r.maintainer as string | null) ?? null,
  clientVisible: r.client_visible as boolean,
  archivedAt: r.archived_at == null ? null : iso(r.archived_at),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const toConfig = (r: Row): ConfigRow => ({
  flagId: r.flag_id as string,
  environmentId: r.environment_id as string,
  config: r.config as FlagConfig,
  version: Number(r.version),
  updatedAt: iso(r.updated_at),
});

/** What an SDK evaluates: the definition joined with one environment's configuration. */
export function evaluable(def: FlagDefinition, cfg: ConfigRow): Flag {
  const c = cfg.config;
  return {
    key: def.key,
    version: cfg.version,
    kind: def.kind,
    variations: def.variations,
    on: c.on,
    ...(c.offVariation === undefined ? {} : { offVariation: c.offVariation }),
    fallthrough: c.fallthrough,
    targets: c.targets ?? [],
    rules: c.rules ?? [],
    prerequisites: c.prerequisites ?? [],
    ...(c.salt === undefined ? {} : { salt: c.salt }),
    clientVisible: def.clientVisible,
  };
}

export async function findFlag(
  sql: Sql,
  projectId: string,
  key: string,
  lock = false,
): Promise<FlagDefinition | undefined> {
  const [row] = await sql.query(`SELECT * FROM flags WHERE project_id = $1 AND key = $2${lock ? ' FOR UPDATE' : ''}`, [
    projectId,
    key,
  ]);
  return row && toFlag(row);
}

export interface FlagFilter {
  q?: string | undefined;
  tag?: string | undefined;
  state: 'active' | 'archived' | 'all';
  after?: string | undefined;
  limit: number;
}

export async function listFlags(sql: Sql, projectId: string, f: FlagFilter): Promise<FlagDefinition[]> {
  const where = ['project_id = $1'];
  const params: unknown[] = [projectId];
  if (f.q) {
    params.push(`%${f.q.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`);
    where.push(`(key ILIKE $${params.length} OR name ILIKE $${params.length})`);
  }
  if (f.tag) {
    params.push(JSON.stringify([f.tag]));
    where.push(`tags @> $${params.length}::jsonb`);
  }
  if (f.state === 'active') where.push('archived_at IS NULL');
  if (f.state === 'archived') where.push('archived_at IS NOT NULL');
  if (f.after !== undefined) {
    params.push(f.after);
    where.push(`key > $${params.length}`);
  }
  params.push(f.limit);
  const rows = await sql.query(
    `SELECT * FROM flags WHERE ${where.join(' AND ')} ORDER BY key LIMIT $${params.length}`,
    params,
  );
  return rows.map(toFlag);
}

export async function insertFlag(
  sql: Sql,
  d: Omit<FlagDefinition, 'createdAt' | 'updatedAt' | 'archivedAt'>,
): Promise<FlagDefinition> {
  const [row] = await sql.query(
    `INSERT INTO flags (id, project_id, key, name, description, kind, variations, tags, temporary, maintainer, client_visible)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
    [
      d.id,
      d.projectId,
      d.key,
      d.name,
      d.description,
      d.kind,
      JSON.stringify(d.variations),
      JSON.stringify(d.tags),
      d.temporary,
      d.maintainer,
      d.clientVisible,
    ],
  );
  return toFlag(row as Row);
}

export async function updateFlag(sql: Sql, d: FlagDefinition): Promise<FlagDefinition> {
  const [row] = await sql.query(
    `UPDATE flags SET name = $2, description = $3, variations = $4, tags = $5, temporary = $6, maintainer = $7,
       client_visible = $8, archived_at = $9, updated_at = now(), version = version + 1 WHERE id = $1 RETURNING *`,
    [
      d.id,
      d.name,
      d.description,
      JSON.stringify(d.variations),
      JSON.stringify(d.tags),
      d.temporary,
      d.maintainer,
      d.clientVisible,
      d.archivedAt,
    ],
  );
  return toFlag(row as Row);
}

export async function deleteFlag(sql: Sql, id: string): Promise<void> {
  await sql.query('DELETE FROM flags WHERE id = $1', [id]);
}

export async function findConfig(
  sql: Sql,
  flagId: string,
  environmentId: string,
  lock = false,
): Promise<ConfigRow | undefined> {
  const [row] = await sql.query(
    `SELECT * FROM flag_configs WHERE flag_id = $1 AND environment_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [flagId, environmentId],
  );
  return row && toConfig(row);
}

export async function listConfigs(sql: Sql, flagId: string): Promise<ConfigRow[]> {
  return (await sql.query('SELECT * FROM flag_configs WHERE flag_id = $1', [flagId])).map(toConfig);
}

export async function insertConfig(
  sql: Sql,
  flagId: string,
  environmentId: string,
  config: FlagConfig,
): Promise<ConfigRow> {
  const [row] = await sql.query(
    'INSERT INTO flag_configs (flag_id, environment_id, config) VALUES ($1,$2,$3) RETURNING *',
    [flagId, environmentId, JSON.stringify(config)],
  );
  return toConfig(row as Row);
}

/** Writes a new configuration; with `expectedVersion`, only if nobody wrote since (else undefined). */
export async function writeConfig(
  sql: Sql,
  flagId: string,
  environmentId: string,
  config: FlagConfig,
  expectedVersion?: number,
): Promise<ConfigRow | undefined> {
  const params: unknown[] = [flagId, environmentId, JSON.stringify(config)];
  let guard = '';
  if (expectedVersion !== undefined) {
    params.push(expectedVersion);
    guard = ' AND version = $4';
  }
  const [row] = await sql.query(
    `UPDATE flag_configs SET config = $3, version = version + 1, updated_at = now()
     WHERE flag_id = $1 AND environment_id = $2${guard} RETURNING *`,
    params,
  );
  return row && toConfig(row);
}

/** A definition change alters what every environment evaluates: each configuration gets a new version. */
export async function bumpConfigVersions(sql: Sql, flagId: string): Promise<ConfigRow[]> {
  return (
    await sql.query(
      'UPDATE flag_configs SET version = version + 1, updated_at = now() WHERE flag_id = $1 RETURNING *',
      [flagId],
    )
  ).map(toConfig);
}

/** Keys and prerequisites of every active flag of an environment: enough to check a prerequisite graph. */
export async function prerequisiteGraph(
  sql: Sql,
  environmentId: string,
): Promise<Map<string, { key: string; variations: number; prerequisites: { key: string; variation: number }[] }>> {
  const rows = await sql.query<{ key: string; n: number; prereqs: { key: string; variation: number }[] | null }>(
    `SELECT f.key, jsonb_array_length(f.variations) AS n, c.config->'prerequisites' AS prereqs
     FROM flags f JOIN flag_configs c ON c.flag_id = f.id
     WHERE c.environment_id = $1 AND f.archived_at IS NULL`,
    [environmentId],
  );
  return new Map(rows.map((r) => [r.key, { key: r.key, variations: Number(r.n), prerequisites: r.prereqs ?? [] }]));
}
