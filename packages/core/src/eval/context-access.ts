/** How compiled clauses read a context: kind selection and attribute lookup, compiled once per clause. */

export type Attrs = Record<string, unknown>;
export type KindSelector = (context: unknown) => Attrs | undefined;
export type AttributeGetter = (attrs: Attrs) => unknown;

const isObject = (v: unknown): v is Attrs => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The part of a context that has the given kind: the context itself, or one member of a multi-context. */
export function selectKind(kind: string): KindSelector {
  if (kind === 'user') {
    return (c) => {
      if (!isObject(c)) return undefined;
      const k = c.kind;
      if (k === undefined || k === 'user') return c;
      if (k !== 'multi') return undefined;
      const sub = c.user;
      return isObject(sub) ? sub : undefined;
    };
  }
  return (c) => {
    if (!isObject(c)) return undefined;
    const k = c.kind;
    if (k === kind) return c;
    if (k !== 'multi') return undefined;
    const sub = c[kind];
    return isObject(sub) ? sub : undefined;
  };
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
