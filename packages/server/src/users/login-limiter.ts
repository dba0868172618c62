import { AppError } from '../errors/errors.js';
import type { Sql } from '../infra/sql/client.js';

export interface LimitRule {
  /** Failures allowed within the window; the next attempt is refused. */
  max: number;
  windowMs: number;
}

/** Defaults: 5 failures per account and 20 per client address (offices share one) per 15 minutes. */
export const DEFAULT_LOGIN_LIMITS = {
  perEmail: { max: 5, windowMs: 15 * 60_000 },
  perIp: { max: 20, windowMs: 15 * 60_000 },
} satisfies Record<string, LimitRule>;

/** Failures older than every window are deleted after this many new ones (per node). */
const PRUNE_EVERY = 100;

/**
 * Counts failed logins in the store, so that every api node behind a load balancer counts the
 * same failures (an attacker does not get N times the budget from N nodes) and a restart forgets
 * none. Logins are rare next to everything else the store does: two indexed reads or writes each.
 */
export class LoginLimiter {
  #sincePrune = 0;

  constructor(
    private readonly sql: Sql,
    private readonly rules: { perEmail: LimitRule; perIp: LimitRule } = DEFAULT_LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Throws rate_limited (with Retry-After seconds) when the account or the address is over its limit. */
  async check(email: string, ip: string): Promise<void> {
    const now = this.clock();
    const longest = Math.max(this.rules.perEmail.windowMs, this.rules.perIp.windowMs);
    const rows = await this.sql.query<{ key: string; at: Date }>(
      'SELECT key, at FROM login_failures WHERE key = ANY($1::text[]) AND at > $2 ORDER BY at',
      [[`email:${email}`, `ip:${ip}`], new Date(now - longest)],
    );
    const times = (key: string) => rows.filter((r) => r.key === key).map((r) => new Date(r.at).getTime());
    const wait = Math.max(
      waitMs(times(`email:${email}`), this.rules.perEmail, now),
      waitMs(times(`ip:${ip}`), this.rules.perIp, now),
    );
    if (wait > 0) throw new AppError('rate_limited', 'too many failed logins; retry later', [], Math.ceil(wait / 1000));
  }

  async fail(email: string, ip: string): Promise<void> {
    const at = new Date(this.clock());
    await this.sql.query('INSERT INTO login_failures (key, at) VALUES ($1, $3), ($2, $3)', [
      `email:${email}`,
      `ip:${ip}`,
      at,
    ]);
    if (++this.#sincePrune >= PRUNE_EVERY) {
      this.#sincePrune = 0;
      const longest = Math.max(this.rules.perEmail.windowMs, this.rules.perIp.windowMs);
      await this.sql.query('DELETE FROM login_failures WHERE at <= $1', [new Date(at.getTime() - longest)]);
    }
  }

  /** A successful login clears the account's count; the address keeps its count. */
  async succeed(email: string): Promise<void> {
    await this.sql.query('DELETE FROM login_failures WHERE key = $1', [`email:${email}`]);
  }
}

/** How long until the failures in the window (ascending) fall below the rule's maximum. */
function waitMs(times: number[], rule: LimitRule, now: number): number {
  const recent = times.filter((t) => t > now - rule.windowMs);
  if (recent.length < rule.max) return 0;
  // Allowed again when enough of the failures have aged out of the window.
  const oldestCounted = recent[recent.length - rule.max] ?? now;
  return oldestCounted + rule.windowMs - now;
}
