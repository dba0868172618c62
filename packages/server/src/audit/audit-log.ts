import type { Sql } from '../infra/sql/client.js';
import { type ChainedFields, eventHash } from './chain.js';

/** What a mutation records; the chain fields (seq, hashes, time) are added on append. */
export interface AuditDraft {
  projectId: string | null;
  action: string;
  resourceType: string;
  resourceKey: string;
  environmentKey?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditMeta {
  actorType: 'user' | 'token';
  actorId: string;
  actorName: string;
  comment: string;
  requestId: string;
}

/** Appends one event to its project's chain. Must run inside the mutation's transaction. */
/** Appends one event to its chain; returns what was stored (with its id), for webhooks. */
export async function appendAudit(
  tx: Sql,
  draft: AuditDraft,
  meta: AuditMeta,
  at: Date,
): Promise<ChainedFields & { id: number }> {
  const chain = draft.projectId ?? '';
  // Locking the head row orders concurrent writers of one chain; other chains are not blocked.
  const [head] = await tx.query<{ seq: number; hash: string }>(
    `INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, '') ON CONFLICT (chain) DO UPDATE SET chain = EXCLUDED.chain RETURNING seq, hash`,
    [chain],
  );
  const fields: ChainedFields = {
    projectId: draft.projectId,
    seq: Number(head?.seq ?? 0) + 1,
    at: at.toISOString(),
    actorType: meta.actorType,
    actorId: meta.actorId,
    actorName: meta.actorName,
    action: draft.action,
    resourceType: draft.resourceType,
    resourceKey: draft.resourceKey,
    environmentKey: draft.environmentKey ?? null,
    // Hash what the store will hold: the JSON form (a Date becomes its string, undefined drops out).
    before: asJson(draft.before),
    after: asJson(draft.after),
    comment: meta.comment,
    requestId: meta.requestId,
    prevHash: head?.hash ?? '',
  };
  const hash = eventHash(fields);
  const [row] = await tx.query<{ id: number }>(
    `INSERT INTO audit_events (project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
       environment_key, before, after, comment, request_id, prev_hash, hash)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id`,
    [
      fields.projectId,
      fields.seq,
      fields.at,
      fields.actorType,
      fields.actorId,
      fields.actorName,
      fields.action,
      fields.resourceType,
      fields.resourceKey,
      fields.environmentKey,
      json(fields.before),
      json(fields.after),
      fields.comment,
      fields.requestId,
      fields.prevHash,
      hash,
    ],
  );
  await tx.query('UPDATE audit_heads SET seq = $2, hash = $3 WHERE chain = $1', [chain, fields.seq, hash]);
  return { ...fields, id: Number(row?.id) };
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const asJson = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(JSON.stringify(v)));
