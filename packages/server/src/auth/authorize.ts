import { forbidden } from '../errors/errors.js';
import type { Principal, Role } from './principal.js';

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

/** What an action touches: nothing (installation-wide), a project, or one environment of it. */
export type Scope = { projectId?: string; environmentId?: string };

/**
 * Throws `forbidden` unless the principal holds `need` for the scope. An environment-restricted
 * grant allows writes in its environments only, and never project-wide writes such as changing a
 * flag's variations, which every environment serves.
 */
export function authorize(p: Principal, need: Role, scope: Scope = {}): void {
  if (!allowed(p, need, scope)) {
    throw forbidden(
      `${need} role required${scope.projectId ? ' in this project' : ''}${scope.environmentId ? ' and environment' : ''}`,
    );
  }
}

export function allowed(p: Principal, need: Role, { projectId, environmentId }: Scope): boolean {
  if (p.admin) return true;
  if (projectId === undefined) return false;
  // A grant on '*' (a token with a role but no project scope) covers every project.
  const grant = p.grants.find((g) => g.projectId === projectId) ?? p.grants.find((g) => g.projectId === '*');
  if (!grant || RANK[grant.role] < RANK[need]) return false;
  if (need === 'viewer' || grant.environments === null) return true;
  return environmentId !== undefined && grant.environments.includes(environmentId);
}

/** Projects the principal may see; undefined means all. */
export const visibleProjects = (p: Principal): Set<string> | undefined =>
  p.admin || p.grants.some((g) => g.projectId === '*') ? undefined : new Set(p.grants.map((g) => g.projectId));
