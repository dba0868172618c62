import type { EvaluationContext } from '@openfeature/server-sdk';
import type { Context } from '../types.js';

export type MappedContext =
  | { ok: true; context: Context }
  | { ok: false; errorCode: 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT'; message: string };

/** Dates become RFC 3339 strings (what Vexil's before/after operators read); the rest is JSON already. */
function plain(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

/**
 * An OpenFeature evaluation context as a Vexil context, exactly as Vexil's OFREP endpoint maps
 * it: `targetingKey` becomes `key` (winning over a `key` attribute) and is required; `kind`
 * is kept when given, else `user`; every other attribute passes through. A context whose
 * `kind` is `multi` is a Vexil multi-kind context and is used as is (its `targetingKey` ignored).
 */
export function toVexilContext(context: EvaluationContext | undefined): MappedContext {
  const { targetingKey, ...attributes } = context ?? {};
  if (attributes.kind === 'multi') return { ok: true, context: plain(attributes) as Context };
  if (targetingKey === undefined || targetingKey === null || targetingKey === '')
    return { ok: false, errorCode: 'TARGETING_KEY_MISSING', message: 'the evaluation context needs a targetingKey' };
  if (typeof targetingKey !== 'string')
    return { ok: false, errorCode: 'INVALID_CONTEXT', message: 'targetingKey must be a string' };
  if (attributes.kind !== undefined && typeof attributes.kind !== 'string')
    return { ok: false, errorCode: 'INVALID_CONTEXT', message: 'kind must be a string' };
  const mapped = plain(attributes) as Record<string, unknown>;
  return {
    ok: true,
    context: { ...mapped, kind: (attributes.kind as string | undefined) ?? 'user', key: targetingKey },
  };
}
