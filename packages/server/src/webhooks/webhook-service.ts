import { mutate, newId, type WriteContext } from '../changes/mutation.js';
import { hintOf, newSecret } from '../credentials/secrets.js';
import { notFound } from '../errors/errors.js';
import type { SqlClient } from '../infra/sql/client.js';
import type { Project } from '../projects/project-store.js';
import type { CreateWebhookBody, UpdateWebhookBody } from './webhook-schemas.js';

export interface WebhookView {
  id: string;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  /** The signing secret's first and last characters. */
  secretHint: string;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  action: string;
  eventId: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const view = (r: Row): WebhookView => ({
  id: r.id as string,
  name: r.name as string,
  url: r.url as string,
  events: r.events as string[],
  active: r.active as boolean,
  secretHint: r.hint as string,
  createdAt: iso(r.created_at) as string,
});
const COLUMNS = 'id, name, url, events, active, hint, created_at';

/** A project's webhooks. Authorization is the routes' job; every change is audited (never the secret). */
export class WebhookService {
  constructor(private readonly deps: { db: SqlClient }) {}

  async list(project: Project): Promise<WebhookView[]> {
    const rows = await this.deps.db.query<Row>(
      `SELECT ${COLUMNS} FROM webhooks WHERE project_id = $1 ORDER BY created_at, id`,
      [project.id],
    );
    return rows.map(view);
  }

  /** The signing secret is returned here, once. */
  async create(
    ctx: WriteContext,
    project: Project,
    body: CreateWebhookBody,
  ): Promise<WebhookView & { secret: string }> {
    const secret = newSecret('whsec_');
    return mutate(this.deps.db, ctx, async (tx, record) => {
      const [row] = await tx.query<Row>(
        `INSERT INTO webhooks (id, project_id, name, url, events, secret, hint, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          newId(),
          project.id,
          body.name,
          body.url,
          JSON.stringify(body.events ?? ['*']),
          secret,
          hintOf(secret),
          body.active ?? true,
        ],
      );
      const made = view(row as Row);
      record.audit({
        projectId: project.id,
        action: 'webhook.create',
        resourceType: 'webhook',
        resourceKey: made.id,
        after: made,
      });
      return { ...made, secret };
    });
  }

  async update(ctx: WriteContext, project: Project, id: string, body: UpdateWebhookBody): Promise<WebhookView> {
    return mutate(this.deps.db, ctx, async (tx, record) => {
      const [before] = await tx.query<Row>(
        `SELECT ${COLUMNS} FROM webhooks WHERE id = $1 AND project_id = $2 FOR UPDATE`,
        [id, project.id],
      );
      if (!before) throw notFound('webhook');
      const b = view(before);
      const [row] = await tx.query<Row>(
        `UPDATE webhooks SET name = $2, url = $3, events = $4, active = $5 WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, body.name ?? b.name, body.url ?? b.url, JSON.stringify(body.events ?? b.events), body.active ?? b.active],
      );
      const after = view(row as Row);
      record.audit({
        projectId: project.id,
        action: 'webhook.update',
        resourceType: 'webhook',
        resourceKey: id,
        before: b,
        after,
      });
      return after;
    });
  }

  async remove(ctx: WriteContext, project: Project, id: string): Promise<void> {
    await mutate(this.deps.db, ctx, async (tx, record) => {
      const [row] = await tx.query<Row>(`DELETE FROM webhooks WHERE id = $1 AND project_id = $2 RETURNING ${COLUMNS}`, [
        id,
        project.id,
      ]);
      if (!row) throw notFound('webhook');
      record.audit({
        projectId: project.id,
        action: 'webhook.delete',
        resourceType: 'webhook',
        resourceKey: id,
        before: view(row),
      });
    });
  }

  /** The newest deliveries of one webhook, with the outcome of their last attempt. */
  async deliveries(project: Project, id: string, limit = 50): Promise<DeliveryView[]> {
    const [hook] = await this.deps.db.query('SELECT 1 FROM webhooks WHERE id = $1 AND project_id = $2', [
      id,
      project.id,
    ]);
    if (!hook) throw notFound('webhook');
    const rows = await this.deps.db.query<Row>(
      `SELECT id, action, audit_event_id, attempts, last_status, last_error, created_at, next_attempt_at, delivered_at, failed_at
       FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [id, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      action: r.action as string,
      eventId: Number(r.audit_event_id),
      status: r.delivered_at ? 'delivered' : r.failed_at ? 'failed' : 'pending',
      attempts: Number(r.attempts),
      lastStatus: r.last_status === null ? null : Number(r.last_status),
      lastError: (r.last_error as string | null) ?? null,
      createdAt: iso(r.created_at) as string,
      nextAttemptAt: r.delivered_at || r.failed_at ? null : iso(r.next_attempt_at),
      deliveredAt: iso(r.delivered_at),
    }));
  }
}
