export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a user or token may do in one project; `environments` null means all of them. */
export interface Grant {
  projectId: string;
  role: Role;
  environments: readonly string[] | null;
}

/** Who is calling: resolved once per request from a session cookie or a bearer token. */
export interface Principal {
  kind: 'user' | 'token';
  id: string;
  name: string;
  /** Administers the whole installation: projects, users, API tokens. */
  admin: boolean;
  grants: readonly Grant[];
}

export const SYSTEM: Principal = { kind: 'user', id: 'system', name: 'Vexil', admin: true, grants: [] };
