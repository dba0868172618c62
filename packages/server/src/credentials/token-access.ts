import type { Principal } from '../auth/principal.js';
import { forbidden } from '../errors/errors.js';

/**
 * Who manages API tokens. Installation admins manage every token. A project admin (a grant on
 * that project not restricted to some environments) manages the tokens scoped to that project,
 * which can never be worth more than their own grant. Nobody else manages tokens at all.
 */
export function tokenProjectsManagedBy(p: Principal): readonly string[] | 'all' {
  if (p.admin) return 'all';
  return p.grants
    .filter((g) => g.role === 'admin' && g.environments === null && g.projectId !== '*')
    .map((g) => g.projectId);
}

/** Refuses principals who manage no tokens at all, before anything is looked up. */
export function requireTokenManager(p: Principal): readonly string[] | 'all' {
  const managed = tokenProjectsManagedBy(p);
  if (managed !== 'all' && managed.length === 0)
    throw forbidden('managing API tokens needs the admin role (installation, or of the token’s project)');
  return managed;
}

/** Refuses a token scope (null: unscoped) the principal does not manage. */
export function authorizeTokenScope(p: Principal, projectId: string | null): void {
  const managed = tokenProjectsManagedBy(p);
  if (managed === 'all') return;
  if (projectId === null) throw forbidden('only installation admins manage tokens without a project scope');
  if (!managed.includes(projectId)) throw forbidden('admin role required in the token’s project');
}
