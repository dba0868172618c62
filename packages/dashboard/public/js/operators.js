/**
 * Clause operators, read from the server's OpenAPI document (built from @vexil/core's schema),
 * so that the editor offers exactly what the server accepts, new operators included.
 */
let cached;

/** The first JSON Schema `enum` in `node` that lists clause operators. */
function findOperators(node) {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findOperators(n);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node.enum) && node.enum.includes('segmentMatch') && node.enum.includes('in')) return node.enum;
  for (const v of Object.values(node)) {
    const found = findOperators(v);
    if (found) return found;
  }
  return undefined;
}

/** Resolves the operator names; `in` alone if the document cannot be read (the editor still works). */
export function loadOperators() {
  cached ??= fetch('/api/v1/openapi.json', { credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : undefined))
    .then((doc) => findOperators(doc) ?? ['in'])
    .catch(() => ['in']);
  return cached;
}
