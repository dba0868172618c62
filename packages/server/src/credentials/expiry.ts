import { schema as t } from '@vexil/core';
import { invalidField } from '../errors/errors.js';

const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';

export const MAX_GRACE_SECONDS = 30 * 24 * 3600;

/** Request fields shared by everything that issues a secret with a lifetime. */
export const expiryFields = {
  expiresAt: t.optional(t.string({ pattern: RFC3339, description: 'RFC 3339 time after which it stops working.' })),
  expiresInDays: t.optional(t.integer({ minimum: 1, maximum: 3650, description: 'Alternative to expiresAt.' })),
};

export const graceField = t.optional(
  t.integer({
    minimum: 0,
    maximum: MAX_GRACE_SECONDS,
    description: 'How long the old secret keeps working; 0 or absent: it stops at once.',
  }),
);

/**
 * The expiry a request asks for: a Date, null for "never", or undefined when it asks nothing.
 * Errors carry the field's JSON Pointer like schema errors do.
 */
export function requestedExpiry(
  body: { expiresAt?: string | undefined; expiresInDays?: number | undefined },
  now: Date,
): Date | undefined {
  if (body.expiresAt !== undefined && body.expiresInDays !== undefined)
    throw invalidField('/expiresInDays', 'conflict', 'give expiresAt or expiresInDays, not both');
  if (body.expiresInDays !== undefined) return new Date(now.getTime() + body.expiresInDays * 86_400_000);
  if (body.expiresAt === undefined) return undefined;
  const at = parseRfc3339(body.expiresAt);
  if (!at) throw invalidField('/expiresAt', 'invalid_format', 'must be a valid RFC 3339 date-time');
  if (at <= now) throw invalidField('/expiresAt', 'in_past', 'must be in the future');
  return at;
}

/** Date.parse accepts days that do not exist (Feb 30 becomes Mar 2): compare the fields back. */
function parseRfc3339(text: string): Date | undefined {
  const at = new Date(text.toUpperCase().replace(' ', 'T'));
  if (Number.isNaN(at.getTime())) return undefined;
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = text.slice(11, 19).split(':').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d, hh, mm, ss));
  const sameFields =
    probe.getUTCFullYear() === y &&
    probe.getUTCMonth() === m - 1 &&
    probe.getUTCDate() === d &&
    probe.getUTCHours() === hh &&
    probe.getUTCMinutes() === mm &&
    probe.getUTCSeconds() === ss;
  return sameFields ? at : undefined;
}

/** When a replaced secret stops: now plus the grace period, never later than it would have anyway. */
export function graceEnd(now: Date, graceSeconds: number | undefined, currentExpiry: Date | null): Date {
  const end = new Date(now.getTime() + (graceSeconds ?? 0) * 1000);
  return currentExpiry && currentExpiry < end ? currentExpiry : end;
}

export type CredentialStatus = 'active' | 'expired' | 'revoked';

export const statusOf = (revokedAt: Date | null, expiresAt: Date | null, now = new Date()): CredentialStatus =>
  revokedAt ? 'revoked' : expiresAt && expiresAt <= now ? 'expired' : 'active';

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));
