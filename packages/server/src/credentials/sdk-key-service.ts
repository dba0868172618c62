import { mutate, newId, type Recorder, type WriteContext } from '../changes/mutation.js';
import { conflict, notFound } from '../errors/errors.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import type { Environment, Project } from '../projects/project-store.js';
import { graceEnd, statusOf } from './expiry.js';
import {
  findSdkKey,
  insertSdkKey,
  listSdkKeys,
  lookupSdkKey,
  revokeSdkKey,
  type SdkKey,
  type SdkKeyKind,
  type SdkKeyView,
  setSdkKeyExpiry,
  viewSdkKey,
} from './sdk-key-store.js';
import { hashSecret, hintOf, newSecret, PREFIX } from './secrets.js';

/** A new SDK credential with its value: for server keys the only time the secret is shown. */
export type IssuedSdkKey = SdkKeyView & { key: string };

/** Server SDK keys and client-side IDs per environment. Authorization is the routes' job. */
export class SdkKeyService {
  /** `onRevoked` tells the data plane to drop a credential at once (close its streams, evict caches). */
  constructor(private readonly deps: { db: SqlClient; onRevoked?: (credentialId: string) => void }) {}

  async list(env: Environment, opts: { includeInactive: boolean }): Promise<SdkKeyView[]> {
    const now = new Date();
    return (await listSdkKeys(this.deps.db, env.id, !opts.includeInactive)).map((k) => viewSdkKey(k, env.key, now));
  }

  async create(ctx: WriteContext, project: Project, env: Environment, kind: SdkKeyKind): Promise<IssuedSdkKey> {
    return mutate(this.deps.db, ctx, (tx, record) => issueSdkKey(tx, record, project, env, kind));
  }

  /** A new credential of the same kind; the old one works until the grace period ends (at once without one). */
  async rotate(
    ctx: WriteContext,
    project: Project,
    env: Environment,
    id: string,
    gracePeriodSeconds: number | undefined,
  ): Promise<IssuedSdkKey & { previous: SdkKeyView }> {
    const old = await this.get(env, id);
    const now = new Date();
    if (statusOf(old.revokedAt, old.expiresAt, now) !== 'active')
      throw conflict('only an active key can be rotated; create a new one instead');
    return mutate(this.deps.db, ctx, async (tx, record) => {
      const end = graceEnd(now, gracePeriodSeconds, old.expiresAt);
      await setSdkKeyExpiry(tx, old.id, end);
      const previous = viewSdkKey({ ...old, expiresAt: end }, env.key, now);
      const issued = await issueSdkKey(tx, record, project, env, old.kind, old.id);
      record.audit({
        projectId: project.id,
        action: 'sdk_key.rotate',
        resourceType: 'sdk_key',
        resourceKey: old.id,
        environmentKey: env.key,
        before: viewSdkKey(old, env.key, now),
        after: { ...previous, replacedBy: issued.id, gracePeriodSeconds: gracePeriodSeconds ?? 0 },
      });
      return { ...issued, previous };
    }).then((result) => {
      if (!gracePeriodSeconds) this.deps.onRevoked?.(old.id);
      return result;
    });
  }

  /** Immediate and idempotent. */
  async revoke(ctx: WriteContext, project: Project, env: Environment, id: string): Promise<void> {
    const key = await this.get(env, id);
    if (key.revokedAt) return;
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const now = new Date();
      await revokeSdkKey(tx, key.id, now);
      record.audit({
        projectId: project.id,
        action: 'sdk_key.revoke',
        resourceType: 'sdk_key',
        resourceKey: key.id,
        environmentKey: env.key,
        before: viewSdkKey(key, env.key, now),
        after: viewSdkKey({ ...key, revokedAt: now }, env.key, now),
      });
    });
    this.deps.onRevoked?.(key.id);
  }

  private async get(env: Environment, id: string): Promise<SdkKey> {
    const key = await findSdkKey(this.deps.db, env.id, id);
    if (!key) throw notFound(`SDK key "${id}" in environment "${env.key}"`);
    return key;
  }
}

/** Inserts one SDK credential inside the caller's mutation and records it. */
export async function issueSdkKey(
  tx: Sql,
  record: Recorder,
  project: Project,
  env: Environment,
  kind: SdkKeyKind,
  rotatedFrom?: string,
): Promise<IssuedSdkKey> {
  const value = newSecret(kind === 'server' ? PREFIX.serverKey : PREFIX.clientId);
  const key: SdkKey = {
    id: newId(),
    environmentId: env.id,
    kind,
    publicId: kind === 'client' ? value : null,
    hint: hintOf(value),
    createdAt: new Date(),
    expiresAt: null,
    revokedAt: null,
  };
  await insertSdkKey(tx, { ...key, secretHash: kind === 'server' ? hashSecret(value) : null });
  const view = viewSdkKey(key, env.key);
  record.audit({
    projectId: project.id,
    action: 'sdk_key.create',
    resourceType: 'sdk_key',
    resourceKey: key.id,
    environmentKey: env.key,
    after: rotatedFrom ? { ...view, rotatedFrom } : view,
  });
  return { ...view, key: value };
}

/**
 * One server key and one client-side ID for each new environment, so SDKs can connect to a
 * fresh project at once. Runs inside the mutation that creates the environments. Server secrets
 * are not returned to anyone here: an admin lists the keys and rotates to obtain one.
 */
export async function createDefaultSdkKeys(
  tx: Sql,
  record: Recorder,
  project: Project,
  environments: readonly Environment[],
): Promise<IssuedSdkKey[]> {
  const issued: IssuedSdkKey[] = [];
  for (const env of environments) {
    issued.push(await issueSdkKey(tx, record, project, env, 'server'));
    issued.push(await issueSdkKey(tx, record, project, env, 'client'));
  }
  return issued;
}

/**
 * What an SDK credential unlocks, for the data plane: undefined when it is unknown, revoked or
 * expired (callers answer all three alike). Server keys are matched by hash, client-side IDs by
 * value; a key presented as the other kind is unknown.
 */
export async function resolveSdkKey(
  sql: Sql,
  secret: string,
  now = new Date(),
): Promise<{ environmentId: string; kind: SdkKeyKind } | undefined> {
  const key = secret.startsWith(PREFIX.serverKey)
    ? await lookupSdkKey(sql, { secretHash: hashSecret(secret) })
    : secret.startsWith(PREFIX.clientId)
      ? await lookupSdkKey(sql, { publicId: secret })
      : undefined;
  if (!key || statusOf(key.revokedAt, key.expiresAt, now) !== 'active') return undefined;
  return { environmentId: key.environmentId, kind: key.kind };
}
