import type { JsonValue, Schema } from './builder.js';

/** One problem found in a document, located by a JSON Pointer (RFC 6901). */
export interface Issue {
  path: string;
  code: string;
  message: string;
}

type S = Readonly<Record<string, unknown>>;

const typeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

const describe = (v: unknown) => {
  const t = typeOf(v);
  return t === 'integer' ? 'number' : t;
};

export const pointer = (base: string, key: string | number) =>
  typeof key === 'number' || (key.indexOf('~') < 0 && key.indexOf('/') < 0)
    ? `${base}/${key}`
    : `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;

const patternCache = new Map<string, RegExp>();

/**
 * Checks a value against the JSON Schema subset that `builder.ts` produces and returns every
 * issue found (not just the first), each with the path of the offending value.
 */
export function checkSchema(schema: Schema<unknown>, value: unknown, path = ''): Issue[] {
  const issues: Issue[] = [];
  walk(schema as S, value, path, issues, 0);
  return issues;
}

const MAX_DEPTH = 64;

function walk(s: S, v: unknown, path: string, out: Issue[], depth: number): void {
  if (depth > MAX_DEPTH) {
    out.push({ path, code: 'too_deep', message: `nesting deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if ('anyOf' in s) return walkAnyOf(s.anyOf as S[], v, path, out, depth);
  if ('const' in s) {
    if (v !== s.const) out.push({ path, code: 'invalid_value', message: `must be ${JSON.stringify(s.const)}` });
    return;
  }
  const type = s.type as string | undefined;
  if (type === undefined) return;
  const actual = typeOf(v);
  const typeOk = type === actual || (type === 'number' && actual === 'integer');
  if (!typeOk) {
    out.push({
      path,
      code: 'invalid_type',
      message: `must be ${type === 'integer' ? 'an integer' : `a ${type}`}, got ${describe(v)}`,
    });
    return;
  }
  switch (type) {
    case 'string':
      return walkString(s, v as string, path, out);
    case 'number':
    case 'integer':
      return walkNumber(s, v as number, path, out);
    case 'array':
      return walkArray(s, v as unknown[], path, out, depth);
    case 'object':
      return walkObject(s, v as Record<string, unknown>, path, out, depth);
  }
}

function walkAnyOf(variants: S[], v: unknown, path: string, out: Issue[], depth: number) {
  let best: Issue[] | undefined;
  for (const variant of variants) {
    const found: Issue[] = [];
    walk(variant, v, path, found, depth + 1);
    if (found.length === 0) return;
    // Prefer the variant that got furthest into the value: its issues are the useful ones.
    if (!best || score(found, path) > score(best, path)) best = found;
  }
  if (best && score(best, path) > 0) out.push(...best);
  else out.push({ path, code: 'invalid_value', message: 'does not match any allowed form' });
}

const score = (issues: Issue[], path: string) =>
  issues.some((i) => i.path !== path) ? 1000 - issues.length : issues.some((i) => i.code !== 'invalid_type') ? 1 : 0;

function walkString(s: S, v: string, path: string, out: Issue[]) {
  if (Array.isArray(s.enum) && !s.enum.includes(v)) {
    out.push({ path, code: 'invalid_value', message: `must be one of ${(s.enum as string[]).join(', ')}` });
  }
  // Lengths count code points; a string has between length/2 and length of them, so most
  // strings are decided without counting.
  const min = s.minLength;
  const max = s.maxLength;
  if (typeof min === 'number' && v.length / 2 < min && codePoints(v) < min) {
    out.push({ path, code: 'too_short', message: `must be at least ${min} characters` });
  }
  if (typeof max === 'number' && v.length > max && codePoints(v) > max) {
    out.push({ path, code: 'too_long', message: `must be at most ${max} characters` });
  }
  if (typeof s.pattern === 'string') {
    let re = patternCache.get(s.pattern);
    if (!re) patternCache.set(s.pattern, (re = new RegExp(s.pattern, 'u')));
    if (!re.test(v)) out.push({ path, code: 'invalid_format', message: `must match ${s.pattern}` });
  }
}

function codePoints(v: string): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < v.length) {
      const lo = v.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) i++;
    }
    n++;
  }
  return n;
}

function walkNumber(s: S, v: number, path: string, out: Issue[]) {
  if (!Number.isFinite(v)) out.push({ path, code: 'invalid_value', message: 'must be finite' });
  if (typeof s.minimum === 'number' && v < s.minimum) {
    out.push({ path, code: 'too_small', message: `must be at least ${s.minimum}` });
  }
  if (typeof s.maximum === 'number' && v > s.maximum) {
    out.push({ path, code: 'too_large', message: `must be at most ${s.maximum}` });
  }
}

function walkArray(s: S, v: unknown[], path: string, out: Issue[], depth: number) {
  if (typeof s.minItems === 'number' && v.length < s.minItems) {
    out.push({ path, code: 'too_short', message: `must have at least ${s.minItems} items` });
  }
  if (typeof s.maxItems === 'number' && v.length > s.maxItems) {
    out.push({ path, code: 'too_long', message: `must have at most ${s.maxItems} items` });
  }
  const items = s.items as S | undefined;
  if (items) v.forEach((item, i) => walk(items, item, pointer(path, i), out, depth + 1));
}

function walkObject(s: S, v: Record<string, unknown>, path: string, out: Issue[], depth: number) {
  const props = (s.properties ?? {}) as Record<string, S>;
  for (const key of (s.required ?? []) as string[]) {
    if (!(key in v) || v[key] === undefined) {
      out.push({ path: pointer(path, key), code: 'required', message: 'is required' });
    }
  }
  if (typeof s.maxProperties === 'number' && Object.keys(v).length > s.maxProperties) {
    out.push({ path, code: 'too_long', message: `must have at most ${s.maxProperties} properties` });
  }
  const extra = s.additionalProperties;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const child = v[key];
    if (child === undefined) continue;
    const prop = Object.hasOwn(props, key) ? props[key] : undefined;
    if (prop) walk(prop, child, pointer(path, key), out, depth + 1);
    else if (extra === false)
      out.push({ path: pointer(path, key), code: 'unknown_property', message: 'is not a known property' });
    else if (typeof extra === 'object' && extra !== null) walk(extra as S, child, pointer(path, key), out, depth + 1);
  }
}

export type { JsonValue };
