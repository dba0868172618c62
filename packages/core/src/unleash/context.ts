/**
 * An Unleash context as the Vexil context that translated flags expect:
 *
 * ```
 * {userId: "7", sessionId: "s", environment: "prod", currentTime: "2026-…Z", properties: {country: "NO"}}
 *   → {kind: "user", key: "7", userId: "7", sessionId: "s", environment: "prod", currentTime: "2026-…Z", country: "NO"}
 * ```
 *
 * - Properties and top-level fields share one flat namespace; a top-level field wins over a
 *   property of the same name, which is Unleash's lookup order (top level first, then properties).
 * - `key` is userId, else sessionId, else remoteAddress (absent when there is none). Fields named
 *   `kind`, `key` or `_unleash`, or starting with "/", go under `_unleash` (see attributes.ts).
 * - `currentTime` is always set, as RFC 3339 UTC text: the context's own (a Date or ISO-8601
 *   text; text Unleash cannot read either is kept as is, and then no date constraint holds), or `now`.
 * - Unleash clients treat an empty string as a missing value (stickiness falls through it, and
 *   no operator holds for it), so empty strings, like nulls, are left out. Numbers and booleans
 *   become their text, as Unleash properties are strings; objects and arrays are left out.
 *
 * Deviation: in Unleash, userId/sessionId stickiness reads only the top-level field, whereas a
 * property named `userId` here fills in for a missing top-level userId.
 */
import type { SingleContext } from '../model/context.js';
import { isNestedField, NESTED_FIELDS } from './attributes.js';
import { isObject } from './guards.js';
import type { UnleashContext } from './types.js';

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return undefined;
}

function time(v: unknown, now: () => Date): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  if (typeof v === 'string' && v !== '') {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : v;
  }
  return now().toISOString();
}

export function unleashContextToVexil(context: UnleashContext | null | undefined, now?: Date): SingleContext {
  const out: SingleContext = { kind: 'user' };
  const nested: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const v = text(value);
    if (v === undefined) return;
    if (isNestedField(name)) nested[name] = v;
    else out[name] = v;
  };
  const ctx: Record<string, unknown> = isObject(context) ? context : {};
  const properties = ctx.properties;
  if (isObject(properties)) for (const name of Object.keys(properties)) put(name, properties[name]);
  for (const name of Object.keys(ctx)) if (name !== 'properties' && name !== 'currentTime') put(name, ctx[name]);
  out.currentTime = time(ctx.currentTime, () => now ?? new Date());

  const key = [out.userId, out.sessionId, out.remoteAddress].find((v) => typeof v === 'string');
  if (typeof key === 'string') out.key = key;
  if (Object.keys(nested).length > 0) out[NESTED_FIELDS] = nested;
  return out;
}
