import type { Sql } from '../infra/sql/client.js';

export interface Project {
  id: string;
  key: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface Environment {
  id: string;
  projectId: string;
  key: string;
  name: string;
  color: string;
  sortOrder: number;
  allowedOrigins: string[];
  seq: number;
  createdAt: string;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

const toProject = (r: Row): Project => ({
  id: r.id as string,
  key: r.key as string,
  name: r.name as string,
  description: r.description as string,
  createdAt: iso(r.created_at),
});

export const toEnvironment = (r: Row): Environment => ({
  id: r.id as string,
  projectId: r.project_id as string,
  key: r.key as string,
  name: r.name as string,
  color: r.color as string,
  sortOrder: Number(r.sort_order),
  allowedOrigins: r.allowed_origins as string[],
  seq: Number(r.seq),
  createdAt: iso(r.created_at),
});

export async function findProject(sql: Sql, key: string): Promise<Project | undefined> {
  const [row] = await sql.query('SELECT * FROM projects WHERE key = $1', [key]);
  return row && toProject(row);
}

export async function listProjects(sql: Sql): Promise<Project[]> {
  return (await sql.query('SELECT * FROM projects ORDER BY key')).map(toProject);
}

export async function insertProject(sql: Sql, p: Omit<Project, 'createdAt'>): Promise<Project> {
  const [row] = await sql.query('INSERT INTO projects (id, key, name, description) VALUES ($1,$2,$3,$4) RETURNING *', [
    p.id,
    p.key,
    p.name,
    p.description,
  ]);
  return toProject(row as Row);
}

export async function updateProject(sql: Sql, id: string, p: { name: string; description: string }): Promise<Project> {
  const [row] = await sql.query('UPDATE projects SET name = $2, description = $3 WHERE id = $1 RETURNING *', [
    id,
    p.name,
    p.description,
  ]);
  return toProject(row as Row);
}

export async function deleteProject(sql: Sql, id: string): Promise<void> {
  await sql.query('DELETE FROM projects WHERE id = $1', [id]);
}

export async function listEnvironments(sql: Sql, projectId: string): Promise<Environment[]> {
  return (
    await sql.query('SELECT * FROM environments WHERE project_id = $1 ORDER BY sort_order, key', [projectId])
  ).map(toEnvironment);
}

export async function findEnvironment(sql: Sql, projectId: string, key: string): Promise<Environment | undefined> {
  const [row] = await sql.query('SELECT * FROM environments WHERE project_id = $1 AND key = $2', [projectId, key]);
  return row && toEnvironment(row);
}

export async function findEnvironmentById(sql: Sql, id: string): Promise<Environment | undefined> {
  const [row] = await sql.query('SELECT * FROM environments WHERE id = $1', [id]);
  return row && toEnvironment(row);
}

export async function insertEnvironment(
  sql: Sql,
  e: Pick<Environment, 'id' | 'projectId' | 'key' | 'name' | 'color' | 'sortOrder' | 'allowedOrigins'>,
): Promise<Environment> {
  const [row] = await sql.query(
    'INSERT INTO environments (id, project_id, key, name, color, sort_order, allowed_origins) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *',
    [e.id, e.projectId, e.key, e.name, e.color, e.sortOrder, JSON.stringify(e.allowedOrigins)],
  );
  return toEnvironment(row as Row);
}

export async function updateEnvironment(
  sql: Sql,
  id: string,
  e: Pick<Environment, 'name' | 'color' | 'sortOrder' | 'allowedOrigins'>,
): Promise<Environment> {
  const [row] = await sql.query(
    'UPDATE environments SET name = $2, color = $3, sort_order = $4, allowed_origins = $5 WHERE id = $1 RETURNING *',
    [id, e.name, e.color, e.sortOrder, JSON.stringify(e.allowedOrigins)],
  );
  return toEnvironment(row as Row);
}

export async function deleteEnvironment(sql: Sql, id: string): Promise<void> {
  await sql.query('DELETE FROM environments WHERE id = $1', [id]);
}
