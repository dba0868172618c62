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
  const outer = { base, keys: keys.splice(0) };
  base = path;
  try {
    walk(schema as S, value, issues, 0);
  } finally {
    base = outer.base;
    keys.splice(0, keys.length, ...outer.keys);
  }
  return issues;
}

// The path of the value being checked, as a stack of keys below `base`: a pointer string is
// built only when an issue is reported, so a valid document costs no path strings at all.
let base = '';
const keys: (string | number)[] = [];

function here(): string {
  let path = base;
  for (const k of keys) path = pointer(path, k);
  return path;
}

const issue = (out: Issue[], code: string, message: string, key?: string | number) => {
  if (key !== undefined) keys.push(key);
  out.push({ path: here(), code, message });
  if (key !== undefined) keys.pop();
};

const MAX_DEPTH = 64;
const EMPTY_LIST: never[] = [];

/**
 * A schema node read once into a fixed shape: walking then reads the same few fields of the same
 * kind of object at every node, instead of probing differently shaped schema objects.
 */
interface Node {
  schema: S;
  anyOf: Node[] | undefined;
  hasConst: boolean;
  constValue: unknown;
  type: string | undefined;
  props: Map<string, Node> | undefined;
  required: string[];
  extra: Node | boolean | undefined;
  items: Node | undefined;
}

const nodes = new WeakMap<S, Node>();
function node(s: S): Node {
  let n = nodes.get(s);
  if (n !== undefined) return n;
  n = {
    schema: s,
    anyOf: undefined,
    hasConst: 'const' in s,
    constValue: s.const,
    type: s.type as string | undefined,
    props: undefined,
    required: (s.required ?? EMPTY_LIST) as string[],
    extra: undefined,
    items: undefined,
  };
  nodes.set(s, n);
  // Children after the node is registered, so a recursive schema terminates.
  if (Array.isArray(s.anyOf)) n.anyOf = (s.anyOf as S[]).map(node);
  if (s.properties) n.props = new Map(Object.entries(s.properties as Record<string, S>).map(([k, v]) => [k, node(v)]));
  const extra = s.additionalProperties;
  n.extra = typeof extra === 'object' && extra !== null ? node(extra as S) : (extra as boolean | undefined);
  if (s.items) n.items = node(s.items as S);
  return n;
}

function walk(s: S, v: unknown, out: Issue[], depth: number): void {
  walkNode(node(s), v, out, depth);
}

function walkNode(n: Node, v: unknown, out: Issue[], depth: number): void {
  if (depth > MAX_DEPTH) return issue(out, 'too_deep', `nesting deeper than ${MAX_DEPTH} levels`);
  if (n.anyOf !== undefined) return walkAnyOf(n.anyOf, v, out, depth);
  if (n.hasConst) {
    if (v !== n.constValue) issue(out, 'invalid_value', `must be ${JSON.stringify(n.constValue)}`);
    return;
  }
  const type = n.type;
  if (type === undefined) return;
  const actual = typeOf(v);
  if (type !== actual && !(type === 'number' && actual === 'integer')) {
    return issue(out, 'invalid_type', `must be ${type === 'integer' ? 'an integer' : `a ${type}`}, got ${describe(v)}`);
  }
  switch (type) {
    case 'string':
      return walkString(n.schema, v as string, out);
    case 'number':
    case 'integer':
      return walkNumber(n.schema, v as number, out);
    case 'array':
      return walkArray(n, v as unknown[], out, depth);
    case 'object':
      return walkObject(n, v as Record<string, unknown>, out, depth);
  }
}

function walkAnyOf(variants: Node[], v: unknown, out: Issue[], depth: number) {
  let best: Issue[] | undefined;
  const path = here();
  for (const variant of variants) {
    const found: Issue[] = [];
    walkNode(variant, v, found, depth + 1);
    if (found.length === 0) return;
    // Prefer the variant that got furthest into the value: its issues are the useful ones.
    if (!best || score(found, path) > score(best, path)) best = found;
  }
  if (best && score(best, path) > 0) out.push(...best);
  else out.push({ path, code: 'invalid_value', message: 'does not match any allowed form' });
}

const score = (issues: Issue[], path: string) =>
  issues.some((i) => i.path !== path) ? 1000 - issues.length : issues.some((i) => i.code !== 'invalid_type') ? 1 : 0;

function walkString(s: S, v: string, out: Issue[]) {
  if (s.enum !== undefined && !(s.enum as string[]).includes(v)) {
    issue(out, 'invalid_value', `must be one of ${(s.enum as string[]).join(', ')}`);
  }
  // Lengths count code points; a string has between length/2 and length of them, so most
  // strings are decided without counting.
  const min = s.minLength;
  const max = s.maxLength;
  if (typeof min === 'number' && v.length / 2 < min && codePoints(v) < min) {
    issue(out, 'too_short', `must be at least ${min} characters`);
  }
  if (typeof max === 'number' && v.length > max && codePoints(v) > max) {
    issue(out, 'too_long', `must be at most ${max} characters`);
  }
  if (typeof s.pattern === 'string') {
    let re = patternCache.get(s.pattern);
    if (!re) patternCache.set(s.pattern, (re = new RegExp(s.pattern, 'u')));
    if (!re.test(v)) issue(out, 'invalid_format', `must match ${s.pattern}`);
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

function walkNumber(s: S, v: number, out: Issue[]) {
  if (!Number.isFinite(v)) issue(out, 'invalid_value', 'must be finite');
  if (typeof s.minimum === 'number' && v < s.minimum) issue(out, 'too_small', `must be at least ${s.minimum}`);
  if (typeof s.maximum === 'number' && v > s.maximum) issue(out, 'too_large', `must be at most ${s.maximum}`);
}

function walkArray(n: Node, v: unknown[], out: Issue[], depth: number) {
  const s = n.schema;
  if (typeof s.minItems === 'number' && v.length < s.minItems)
    issue(out, 'too_short', `must have at least ${s.minItems} items`);
  if (typeof s.maxItems === 'number' && v.length > s.maxItems)
    issue(out, 'too_long', `must have at most ${s.maxItems} items`);
  const items = n.items;
  if (!items) return;
  for (let i = 0; i < v.length; i++) {
    keys.push(i);
    walkNode(items, v[i], out, depth + 1);
    keys.pop();
  }
}

function walkObject(n: Node, v: Record<string, unknown>, out: Issue[], depth: number) {
  const s = n.schema;
  const props = n.props;
  const required = n.required;
  for (let i = 0; i < required.length; i++) {
    const key = required[i] as string;
    if (!Object.hasOwn(v, key) || v[key] === undefined) issue(out, 'required', 'is required', key);
  }
  const names = Object.keys(v);
  if (typeof s.maxProperties === 'number' && names.length > s.maxProperties) {
    issue(out, 'too_long', `must have at most ${s.maxProperties} properties`);
  }
  const extra = n.extra;
  for (let i = 0; i < names.length; i++) {
    const key = names[i] as string;
    const child = v[key];
    if (child === undefined) continue;
    const prop = props?.get(key);
    if (prop) {
      keys.push(key);
      walkNode(prop, child, out, depth + 1);
      keys.pop();
    } else if (extra === false) issue(out, 'unknown_property', 'is not a known property', key);
    else if (typeof extra === 'object') {
      keys.push(key);
      walkNode(extra, child, out, depth + 1);
      keys.pop();
    }
  }
}

export type { JsonValue };
