import { randomUUID } from 'node:crypto';
import { type AuditDraft, type AuditMeta, appendAudit } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import { enqueueDeliveries } from '../webhooks/webhook-events.js';

/** A change for the data plane: one flag or segment of one environment, put or deleted. */
export interface ChangeDraft {
  environmentId: string;
  entity: 'flag' | 'segment';
  key: string;
  op: 'put' | 'delete';
  /** The evaluable flag or segment (what SDKs receive), for puts. */
  payload?: unknown;
}

/** Who is writing and why: every mutation carries it into the audit log. */
export interface WriteContext {
  principal: Principal;
  comment?: string | undefined;
  requestId: string;
}

export interface Recorder {
  audit(draft: AuditDraft): void;
  change(draft: ChangeDraft): void;
}

/** Environments whose sequence advanced in a committed mutation, for whoever drains the outbox. */
export type CommitListener = (environmentIds: readonly string[]) => void;

/**
 * Runs a mutation as one transaction that writes the entity, its audit events and its outbox
 * rows together: either all of it is committed or none. Each change takes the next number of
 * its environment's sequence; the environment row lock orders concurrent writers.
 */
export async function mutate<T>(
  db: SqlClient,
  ctx: WriteContext,
  fn: (tx: Sql, record: Recorder) => Promise<T>,
  onCommit?: CommitListener,
): Promise<T> {
  const touched = new Set<string>();
  const result = await db.transaction(async (tx) => {
    const audits: AuditDraft[] = [];
    const changes: ChangeDraft[] = [];
    const value = await fn(tx, { audit: (d) => audits.push(d), change: (c) => changes.push(c) });
    const meta: AuditMeta = {
      actorType: ctx.principal.kind,
      actorId: ctx.principal.id,
      actorName: ctx.principal.name,
      comment: ctx.comment ?? '',
      requestId: ctx.requestId,
    };
    const at = new Date();
    // Webhook deliveries commit with the change they report: none is lost, none is invented.
    for (const a of audits) await enqueueDeliveries(tx, await appendAudit(tx, a, meta, at));
    for (const c of changes) {
      const [env] = await tx.query<{ seq: number }>(
        'UPDATE environments SET seq = seq + 1 WHERE id = $1 RETURNING seq',
        [c.environmentId],
      );
      if (!env) continue; // the environment itself was deleted in this mutation
      await tx.query('INSERT INTO outbox (environment_id, seq, entity, key, op, payload) VALUES ($1,$2,$3,$4,$5,$6)', [
        c.environmentId,
        env.seq,
        c.entity,
        c.key,
        c.op,
        c.payload === undefined ? null : JSON.stringify(c.payload),
      ]);
      touched.add(c.environmentId);
    }
    return value;
  });
  if (touched.size > 0) onCommit?.([...touched]);
  return result;
}

export const newId = () => randomUUID();
