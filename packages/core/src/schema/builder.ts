/**
 * A small JSON Schema builder: each schema is a plain JSON Schema (draft 2020-12) object whose
 * TypeScript type is inferred, so the schema is the single source of truth for types,
 * validation, published JSON Schema and (in the server) OpenAPI.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

interface Meta {
  description?: string;
  title?: string;
  default?: JsonValue;
  examples?: JsonValue[];
}

declare const staticType: unique symbol;
/** A JSON Schema object carrying its static type as a phantom property. */
export type Schema<T> = Readonly<Record<string, unknown>> & { readonly [staticType]?: T };
export type Static<S> = S extends Schema<infer T> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

const build = <T>(schema: Record<string, unknown>, meta?: Meta): Schema<T> => ({ ...schema, ...meta }) as Schema<T>;

export const string = (
  opts: Meta & { minLength?: number; maxLength?: number; pattern?: string; format?: string } = {},
) => build<string>({ type: 'string', ...opts });

export const integer = (opts: Meta & { minimum?: number; maximum?: number } = {}) =>
  build<number>({ type: 'integer', ...opts });

export const number = (opts: Meta & { minimum?: number; maximum?: number } = {}) =>
  build<number>({ type: 'number', ...opts });

export const boolean = (meta?: Meta) => build<boolean>({ type: 'boolean' }, meta);

export const nullType = (meta?: Meta) => build<null>({ type: 'null' }, meta);

export const any = (meta?: Meta) => build<JsonValue>({}, meta);

export const literal = <const V extends string | number | boolean>(value: V, meta?: Meta) =>
  build<V>({ const: value }, meta);

export const enumOf = <const V extends readonly string[]>(values: V, meta?: Meta) =>
  build<V[number]>({ type: 'string', enum: values }, meta);

export const array = <S extends Schema<unknown>>(
  items: S,
  opts: Meta & { minItems?: number; maxItems?: number; uniqueItems?: boolean } = {},
) => build<Static<S>[]>({ type: 'array', items, ...opts });

export const record = <S extends Schema<unknown>>(values: S, meta?: Meta & { maxProperties?: number }) =>
  build<Record<string, Static<S>>>({ type: 'object', additionalProperties: values }, meta);

declare const optionalMark: unique symbol;
/** Type-level brand only: marks a property schema as optional. */
export type Optional<S> = S & { readonly [optionalMark]: true };
const optionals = new WeakSet<object>();
/** Marks an object property as optional (it is left out of `required`). */
export const optional = <S extends Schema<unknown>>(schema: S): Optional<S> => {
  const copy = { ...schema };
  optionals.add(copy);
  return copy as Optional<S>;
};

type Props = Record<string, Schema<unknown>>;
type OptionalKeys<P extends Props> = {
  [K in keyof P]: P[K] extends { readonly [optionalMark]: true } ? K : never;
}[keyof P];
type RequiredKeys<P extends Props> = Exclude<keyof P, OptionalKeys<P>>;
export type ObjectStatic<P extends Props> = Simplify<
  { [K in RequiredKeys<P>]: Static<P[K]> } & { [K in OptionalKeys<P>]?: Static<P[K]> }
>;

export const object = <P extends Props>(properties: P, opts: Meta & { additionalProperties?: boolean } = {}) => {
  const required = Object.keys(properties).filter((k) => !optionals.has(properties[k] as object));
  const { additionalProperties = false, ...meta } = opts;
  return build<ObjectStatic<P>>({ type: 'object', properties, required, additionalProperties }, meta);
};

export const union = <S extends readonly Schema<unknown>[]>(variants: S, meta?: Meta) =>
  build<Static<S[number]>>({ anyOf: variants }, meta);
