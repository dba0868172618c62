import type { Role } from '../auth/principal.js';
import { mutate, newId, type Recorder, type WriteContext } from '../changes/mutation.js';
import { conflict, invalidField, notFound } from '../errors/errors.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import { findEnvironment, findProject } from '../projects/project-store.js';
import { graceEnd, requestedExpiry, statusOf } from './expiry.js';
import { hashSecret, hintOf, newSecret, PREFIX } from './secrets.js';
import { authorizeTokenScope, requireTokenManager } from './token-access.js';
import {
  type ApiToken,
  type ApiTokenView,
  findToken,
  insertToken,
  listTokens,
  revokeToken,
  setTokenExpiry,
  viewToken,
} from './token-store.js';

export interface CreateTokenInput {
  name: string;
  role: Role;
  project?: string | undefined;
  environment?: string | undefined;
  expiresAt?: string | undefined;
  expiresInDays?: number | undefined;
}

export interface RotateTokenInput {
  gracePeriodSeconds?: number | undefined;
  expiresAt?: string | undefined;
  expiresInDays?: number | undefined;
}

/** A token with its secret: returned once, by create and rotate, and never again. */
export type IssuedToken = ApiTokenView & { token: string };

/** API tokens for CI/CD and scripts. Authorization (token-access.ts) is checked here, per scope. */
export class TokenService {
  constructor(private readonly deps: { db: SqlClient }) {}

  async list(ctx: WriteContext, opts: { includeInactive: boolean }): Promise<ApiTokenView[]> {
    const managed = requireTokenManager(ctx.principal);
    const tokens = await listTokens(this.deps.db, {
      projectIds: managed === 'all' ? undefined : managed,
      activeOnly: !opts.includeInactive,
    });
    const now = new Date();
    return tokens.map((t) => viewToken(t, now));
  }

  async create(ctx: WriteContext, body: CreateTokenInput): Promise<IssuedToken> {
    requireTokenManager(ctx.principal);
    const now = new Date();
    const scope = await this.resolveScope(body);
    authorizeTokenScope(ctx.principal, scope.projectId);
    const expiresAt = requestedExpiry(body, now) ?? null;
    return mutate(this.deps.db, ctx, (tx, record) =>
      this.issue(tx, record, ctx, { name: body.name, role: body.role, ...scope, expiresAt }, undefined),
    );
  }

  /**
   * Issues a successor with the same name, role and scope; the old token keeps working until
   * the grace period ends (at once without one). The successor keeps the old token's lifetime
   * unless the request sets a new expiry, so rotating never turns a short-lived token into a
   * permanent one.
   */
  async rotate(
    ctx: WriteContext,
    id: string,
    body: RotateTokenInput,
  ): Promise<IssuedToken & { previous: ApiTokenView }> {
    const old = await this.manageable(ctx, id);
    const now = new Date();
    if (statusOf(old.revokedAt, old.expiresAt, now) !== 'active')
      throw conflict('only an active token can be rotated; create a new one instead');
    const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : undefined;
    const expiresAt =
      requestedExpiry(body, now) ?? (lifetime === undefined ? null : new Date(now.getTime() + lifetime));
    return mutate(this.deps.db, ctx, async (tx, record) => {
      const oldEnd = graceEnd(now, body.gracePeriodSeconds, old.expiresAt);
      await setTokenExpiry(tx, old.id, oldEnd);
      const previous = viewToken({ ...old, expiresAt: oldEnd }, now);
      const issued = await this.issue(
        tx,
        record,
        ctx,
        {
          name: old.name,
          role: old.role,
          projectId: old.projectId,
          environmentId: old.environmentId,
          projectKey: old.projectKey,
          environmentKey: old.environmentKey,
          expiresAt,
        },
        old.id,
      );
      record.audit({
        projectId: old.projectId,
        action: 'token.rotate',
        resourceType: 'token',
        resourceKey: old.id,
        environmentKey: old.environmentKey,
        before: viewToken(old, now),
        after: { ...previous, replacedBy: issued.id, gracePeriodSeconds: body.gracePeriodSeconds ?? 0 },
      });
      return { ...issued, previous };
    });
  }

  /** Revoking is immediate and idempotent: revoking a revoked token changes (and records) nothing. */
  async revoke(ctx: WriteContext, id: string): Promise<void> {
    const token = await this.manageable(ctx, id);
    if (token.revokedAt) return;
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const now = new Date();
      await revokeToken(tx, token.id, now);
      record.audit({
        projectId: token.projectId,
        action: 'token.revoke',
        resourceType: 'token',
        resourceKey: token.id,
        environmentKey: token.environmentKey,
        before: viewToken(token, now),
        after: viewToken({ ...token, revokedAt: now }, now),
      });
    });
  }

  private async manageable(ctx: WriteContext, id: string): Promise<ApiToken> {
    requireTokenManager(ctx.principal);
    const token = await findToken(this.deps.db, id);
    if (!token) throw notFound(`API token "${id}"`);
    authorizeTokenScope(ctx.principal, token.projectId);
    return token;
  }

  private async resolveScope(body: CreateTokenInput) {
    if (body.environment !== undefined && body.project === undefined)
      throw invalidField('/environment', 'requires_project', 'an environment scope needs a project');
    if (body.project === undefined)
      return { projectId: null, projectKey: null, environmentId: null, environmentKey: null };
    const project = await findProject(this.deps.db, body.project);
    if (!project) throw invalidField('/project', 'not_found', `no project "${body.project}"`);
    if (body.environment === undefined)
      return { projectId: project.id, projectKey: project.key, environmentId: null, environmentKey: null };
    const env = await findEnvironment(this.deps.db, project.id, body.environment);
    if (!env)
      throw invalidField('/environment', 'not_found', `no environment "${body.environment}" in "${project.key}"`);
    return { projectId: project.id, projectKey: project.key, environmentId: env.id, environmentKey: env.key };
  }

  private async issue(
    tx: Sql,
    record: Recorder,
    ctx: WriteContext,
    t: Pick<ApiToken, 'name' | 'role' | 'projectId' | 'projectKey' | 'environmentId' | 'environmentKey' | 'expiresAt'>,
    rotatedFrom: string | undefined,
  ): Promise<IssuedToken> {
    const secret = newSecret(PREFIX.apiToken);
    const token: ApiToken = {
      ...t,
      id: newId(),
      hint: hintOf(secret),
      createdBy: ctx.principal.id,
      createdAt: new Date(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await insertToken(tx, { ...token, secretHash: hashSecret(secret) });
    const view = viewToken(token);
    record.audit({
      projectId: token.projectId,
      action: 'token.create',
      resourceType: 'token',
      resourceKey: token.id,
      environmentKey: token.environmentKey,
      after: rotatedFrom ? { ...view, rotatedFrom } : view,
    });
    return { ...view, token: secret };
  }
}
