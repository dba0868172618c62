import { AppError } from '../errors/errors.js';

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

/** Keys tracked at most; beyond it the oldest are dropped, so a flood of addresses cannot exhaust memory. */
const MAX_KEYS = 100_000;

/**
 * Counts failed logins in memory. Each node counts separately: behind a load balancer with N
 * nodes an attacker gets up to N times the budget, which still stops online guessing, and a
 * restart forgets all counts. A shared store (Redis) would be the step up.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rules: { perEmail: LimitRule; perIp: LimitRule } = DEFAULT_LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Throws rate_limited (with Retry-After seconds) when the account or the address is over its limit. */
  check(email: string, ip: string): void {
    const wait = Math.max(
      this.waitMs(`email:${email}`, this.rules.perEmail),
      this.waitMs(`ip:${ip}`, this.rules.perIp),
    );
    if (wait > 0) throw new AppError('rate_limited', 'too many failed logins; retry later', [], Math.ceil(wait / 1000));
  }

  fail(email: string, ip: string): void {
    this.record(`email:${email}`, this.rules.perEmail);
    this.record(`ip:${ip}`, this.rules.perIp);
  }

  /** A successful login clears the account's count; the address keeps its count. */
  succeed(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  private recent(key: string, rule: LimitRule): number[] {
    const since = this.clock() - rule.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  private waitMs(key: string, rule: LimitRule): number {
    const recent = this.recent(key, rule);
    if (recent.length < rule.max) return 0;
    // Allowed again when enough of the failures have aged out of the window.
    const oldestCounted = recent[recent.length - rule.max] ?? this.clock();
    return oldestCounted + rule.windowMs - this.clock();
  }

  private record(key: string, rule: LimitRule): void {
    const recent = this.recent(key, rule);
    recent.push(this.clock());
    this.failures.delete(key); // re-insert: Map order then tracks recency for eviction
    this.failures.set(key, recent.slice(-rule.max));
    if (this.failures.size > MAX_KEYS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }
}
