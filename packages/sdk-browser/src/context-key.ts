import type { Context } from './types.js';

/** JSON with object keys sorted, so that attribute order does not change a context's identity. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** A short stable hash of a context (FNV-1a over its canonical JSON, twice with different seeds), for cache keys. */
export function contextHash(context: Context): string {
  const s = canonicalJson(context);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/** The context's JSON, UTF-8, base64url-encoded: the `context` query parameter of `/client/v1`. */
export function encodeContext(context: Context): string {
  let bin = '';
  for (const byte of new TextEncoder().encode(JSON.stringify(context))) bin += String.fromCharCode(byte);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The context's keys by kind, as events carry them. */
export function contextKeys(context: Context): Record<string, string> {
  if (context.kind !== 'multi') return { [context.kind ?? 'user']: String(context.key) };
  const keys: Record<string, string> = {};
  for (const [kind, member] of Object.entries(context))
    if (kind !== 'kind' && member && typeof member === 'object') keys[kind] = String((member as Context).key);
  return keys;
}
