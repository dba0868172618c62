/** How compiled clauses read a context: kind selection and attribute lookup, shared per name. */

export type Attrs = Record<string, unknown>;
export type KindSelector = (context: unknown) => Attrs | undefined;
export type AttributeGetter = (attrs: Attrs) => unknown;

const isObject = (v: unknown): v is Attrs => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The user kind is by far the most common: its selector is one shared function. */
const selectUser: KindSelector = (c) => {
  if (c === null || typeof c !== 'object') return undefined;
  const a = c as Attrs;
  const k = a.kind;
  if (k === undefined || k === 'user') return Array.isArray(c) ? undefined : a;
  if (k !== 'multi') return undefined;
  const sub = a.user;
  return isObject(sub) ? sub : undefined;
};

// Selectors and getters are cached by name: thousands of flags naming the same kind or
// attribute share one function instead of holding a closure each.
const selectors = new Map<string, KindSelector>([['user', selectUser]]);
const getters = new Map<string, AttributeGetter>();
const CACHE_LIMIT = 10_000;

/** The part of a context that has the given kind: the context itself, or one member of a multi-context. */
export function selectKind(kind: string): KindSelector {
  let s = selectors.get(kind);
  if (s) return s;
  s = (c) => {
    if (!isObject(c)) return undefined;
    const k = c.kind;
    if (k === kind) return c;
    if (k !== 'multi') return undefined;
    const sub = c[kind];
    return isObject(sub) ? sub : undefined;
  };
  if (selectors.size < CACHE_LIMIT) selectors.set(kind, s);
  return s;
}

/** The kinds a context holds: the `kind` attribute of clauses matches against these. */
export function contextKinds(c: unknown): string[] {
  if (!isObject(c)) return [];
  const k = c.kind;
  if (k === undefined) return ['user'];
  if (typeof k !== 'string') return [];
  if (k !== 'multi') return [k];
  return Object.keys(c).filter((key) => key !== 'kind' && isObject(c[key]));
}

/**
 * A getter for a top-level attribute name or a JSON Pointer ("/address/city"). Only own
 * properties count, so "constructor" or "__proto__" never reach Object.prototype.
 */
export function attributeGetter(attribute: string): AttributeGetter {
  let g = getters.get(attribute);
  if (g) return g;
  g = buildGetter(attribute);
  if (getters.size < CACHE_LIMIT) getters.set(attribute, g);
  return g;
}

function buildGetter(attribute: string): AttributeGetter {
  if (!attribute.startsWith('/')) {
    if (attribute in Object.prototype) return (a) => (Object.hasOwn(a, attribute) ? a[attribute] : undefined);
    return (a) => a[attribute];
  }
  const path = attribute
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  return (a) => {
    let v: unknown = a;
    for (const p of path) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
      v = (v as Attrs)[p];
    }
    return v;
  };
}
