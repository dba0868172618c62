import { randomUUID } from 'node:crypto';
import type { AuditItem } from '../audit/audit-query.js';
import type { ChainedFields } from '../audit/chain.js';
import type { Sql } from '../infra/sql/client.js';

/** What a receiver gets: one audit event, as the audit API shows it (without its chain fields). */
export type WebhookPayload = Omit<AuditItem, 'project' | 'projectId' | 'seq' | 'requestId' | 'hash' | 'prevHash'> & {
  project: string;
};

/** `*` matches every action, `flag.*` every action starting `flag.`, anything else exactly. */
export function matchesEvent(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => p === '*' || p === action || (p.endsWith('.*') && action.startsWith(p.slice(0, -1))));
}

/**
 * Inside the mutation's transaction: one delivery per active webhook of the event's project that
 * wants it. Returns how many were queued.
 */
export async function enqueueDeliveries(tx: Sql, event: ChainedFields & { id: number }): Promise<number> {
  if (!event.projectId) return 0;
  const hooks = await tx.query<{ id: string; events: string[]; project_key: string }>(
    `SELECT w.id, w.events, p.key AS project_key FROM webhooks w JOIN projects p ON p.id = w.project_id
     WHERE w.project_id = $1 AND w.active`,
    [event.projectId],
  );
  let queued = 0;
  for (const hook of hooks) {
    if (!matchesEvent(hook.events, event.action)) continue;
    const payload: WebhookPayload = {
      id: event.id,
      project: hook.project_key,
      at: event.at,
      actor: { type: event.actorType, id: event.actorId, name: event.actorName },
      action: event.action,
      resource: { type: event.resourceType, key: event.resourceKey },
      environment: event.environmentKey,
      before: event.before ?? null,
      after: event.after ?? null,
      comment: event.comment,
    };
    await tx.query(
      'INSERT INTO webhook_deliveries (id, webhook_id, audit_event_id, action, payload) VALUES ($1, $2, $3, $4, $5)',
      [randomUUID(), hook.id, event.id, event.action, JSON.stringify(payload)],
    );
    queued++;
  }
  return queued;
}
