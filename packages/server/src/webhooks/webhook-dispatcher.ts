import { createHmac } from 'node:crypto';
import { CoalescedRunner } from '../infra/coalesced-runner.js';
import type { SqlClient } from '../infra/sql/client.js';

/** Seconds to wait after each failed attempt; after the last, the delivery is marked failed. */
export const RETRY_DELAYS_S = [1, 5, 30, 120, 600, 3600, 21_600];
const BATCH = 20;
/** How long a claimed delivery is reserved for the node sending it (then another may retry it). */
const LEASE_S = 30;

export interface DispatcherOptions {
  db: SqlClient;
  /** Safety net for deliveries queued by writes that did not kick (and for retries): default 1 s. */
  pollMs?: number;
  timeoutMs?: number;
  /** Test hook: seconds to wait after the n-th failure (default RETRY_DELAYS_S). */
  retryDelaysS?: readonly number[];
  log?: (line: Record<string, unknown>) => void;
}

/** `Vexil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook's secret>`. */
export function signature(secret: string, body: string, t: number): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * Sends queued webhook deliveries: at least once, each claimed with a short lease so that several
 * api nodes never send the same delivery at the same time; a failure (no 2xx within the timeout)
 * is retried with growing delays, and after the last delay the delivery is marked failed. Every
 * attempt's status or error is recorded for the deliveries API.
 */
export class WebhookDispatcher {
  readonly #db: SqlClient;
  readonly #timeoutMs: number;
  readonly #delays: readonly number[];
  readonly #timer: NodeJS.Timeout;
  readonly #runner = new CoalescedRunner(() => this.#sendDue());
  readonly stats = { delivered: 0, failedAttempts: 0, gaveUp: 0 };

  constructor(private readonly opts: DispatcherOptions) {
    this.#db = opts.db;
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#delays = opts.retryDelaysS ?? RETRY_DELAYS_S;
    this.#timer = setInterval(() => void this.kick(), opts.pollMs ?? 1000);
    this.#timer.unref();
  }

  kick(): Promise<void> {
    return this.#runner.request();
  }

  async #sendDue(): Promise<void> {
    try {
      while ((await this.#pass()) === BATCH && !this.#runner.closed) {}
    } catch (err) {
      this.opts.log?.({ level: 'warn', msg: 'webhook dispatch failed; retrying', error: String(err) });
    }
  }

  async #pass(): Promise<number> {
    const due = await this.#db.query<{
      id: string;
      payload: unknown;
      action: string;
      attempts: number;
      url: string;
      secret: string;
    }>(
      `UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2)
       FROM webhooks w
       WHERE w.id = d.webhook_id AND d.id IN (
         SELECT id FROM webhook_deliveries
         WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING d.id, d.payload, d.action, d.attempts, w.url, w.secret`,
      [BATCH, LEASE_S],
    );
    await Promise.all(due.map((d) => this.#send(d)));
    return due.length;
  }

  async #send(d: { id: string; payload: unknown; action: string; attempts: number; url: string; secret: string }) {
    const body = JSON.stringify(d.payload);
    const t = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Vexil-Webhooks/1',
          'vexil-delivery': d.id,
          'vexil-event': d.action,
          'vexil-signature': signature(d.secret, body, t),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error)?.name === 'TimeoutError' ? `no answer within ${this.#timeoutMs} ms` : String(err);
    }
    const attempts = d.attempts + 1;
    if (error === null) {
      this.stats.delivered++;
      await this.#db.query(
        'UPDATE webhook_deliveries SET delivered_at = now(), attempts = $2, last_status = $3, last_error = NULL WHERE id = $1',
        [d.id, attempts, status],
      );
      return;
    }
    this.stats.failedAttempts++;
    const delay = this.#delays[attempts - 1];
    if (delay === undefined) this.stats.gaveUp++;
    await this.#db.query(
      `UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4,
         next_attempt_at = now() + make_interval(secs => $5), failed_at = CASE WHEN $6 THEN now() END
       WHERE id = $1`,
      [d.id, attempts, status, error.slice(0, 500), delay ?? 0, delay === undefined],
    );
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#runner.close();
  }
}
