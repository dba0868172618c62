/**
 * Where an Unleash context field lives in the Vexil context, shared by the context converter and
 * the translator so that both always agree.
 *
 * Every field sits at the top level under its own name (`userId`, `environment`, a property
 * `country`), except names that Vexil reads itself or that would read as a JSON Pointer: `kind`,
 * `key`, `_unleash`, the empty name and names starting with "/". Those go into the nested object
 * `_unleash` and are addressed with a JSON Pointer (`/_unleash/kind`).
 */

export const NESTED_FIELDS = '_unleash';

export const isNestedField = (name: string): boolean =>
  name === 'kind' || name === 'key' || name === NESTED_FIELDS || name === '' || name.startsWith('/');

/** The Vexil attribute (a name or JSON Pointer) that holds the Unleash context field `name`. */
export function unleashAttribute(name: string): string {
  if (!isNestedField(name)) return name;
  return `/${NESTED_FIELDS}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Vexil's limit on attribute length (see attributeSchema). */
export const MAX_ATTRIBUTE_LENGTH = 256;
