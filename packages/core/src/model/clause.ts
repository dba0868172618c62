import * as t from '../schema/builder.js';

/** Every operator a clause may use. Semantics and type rules: packages/core/README.md#operators. */
export const OPERATORS = [
  'in',
  'startsWith',
  'endsWith',
  'contains',
  'matches',
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
  'before',
  'after',
  'semVerEqual',
  'semVerLessThan',
  'semVerLessThanOrEqual',
  'semVerGreaterThan',
  'semVerGreaterThanOrEqual',
  'inCidr',
  'exists',
  'segmentMatch',
  'percentage',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const HASH_MODES = ['vexil', 'unleash'] as const;
export type HashMode = (typeof HASH_MODES)[number];

export const contextKindSchema = t.string({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._-]+$',
  description: 'A context kind such as "user", "organization" or "device". "multi" and "kind" are reserved.',
});

export const attributeSchema = t.string({
  minLength: 1,
  maxLength: 256,
  description: 'A top-level attribute name, or a JSON Pointer ("/address/city") into nested objects.',
});

export const clauseSchema = t.object(
  {
    contextKind: t.optional(contextKindSchema),
    attribute: t.optional(attributeSchema),
    op: t.enumOf(OPERATORS),
    values: t.array(t.any(), { maxItems: 10_000 }),
    negate: t.optional(t.boolean({ description: 'Inverts the result, including for a missing attribute.' })),
    caseInsensitive: t.optional(t.boolean({ description: 'Case-folds both sides for in and the string operators.' })),
    hash: t.optional(t.enumOf(HASH_MODES, { description: 'percentage only: bucketing algorithm (default vexil).' })),
    seed: t.optional(t.string({ maxLength: 256, description: 'percentage only: hash seed (default: the flag salt).' })),
  },
  { description: 'One condition of a rule. A rule matches when all its clauses match.' },
);
export type Clause = t.Static<typeof clauseSchema>;
