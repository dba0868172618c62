import * as t from '../schema/builder.js';
import { attributeSchema, clauseSchema, contextKindSchema, HASH_MODES } from './clause.js';

export const FLAG_KINDS = ['boolean', 'string', 'number', 'json'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/** Weights are in thousandths of a percent: 100000 is everyone. */
export const WEIGHT_TOTAL = 100_000;

export const keySchema = t.string({
  minLength: 1,
  maxLength: 256,
  pattern: '^[^\\s/]+$',
  description: 'Unique key: no whitespace or slashes.',
});

export const variationSchema = t.object({
  value: t.any({ description: 'The value served; its JSON type must match the flag kind.' }),
  name: t.optional(t.string({ maxLength: 256 })),
  description: t.optional(t.string({ maxLength: 1024 })),
});
export type Variation = t.Static<typeof variationSchema>;

export const weightedVariationSchema = t.object({
  variation: t.integer({ minimum: 0 }),
  weight: t.integer({ minimum: 0, maximum: WEIGHT_TOTAL }),
});

export const rolloutSchema = t.object(
  {
    variations: t.array(weightedVariationSchema, { minItems: 1, maxItems: 1000 }),
    contextKind: t.optional(contextKindSchema),
    bucketBy: t.optional(attributeSchema),
    seed: t.optional(t.string({ maxLength: 256, description: 'Hash seed; defaults to the flag salt.' })),
    hash: t.optional(t.enumOf(HASH_MODES)),
    experiment: t.optional(
      t.boolean({ description: 'Evaluations bucketed by this rollout are experiment exposures.' }),
    ),
  },
  { description: 'Splits contexts between variations by a deterministic hash of one attribute.' },
);
export type Rollout = t.Static<typeof rolloutSchema>;

export const serveSchema = t.object(
  {
    variation: t.optional(t.integer({ minimum: 0 })),
    rollout: t.optional(rolloutSchema),
  },
  { description: 'Exactly one of variation or rollout.' },
);
export type Serve = t.Static<typeof serveSchema>;

export const ruleSchema = t.object({
  id: t.string({ minLength: 1, maxLength: 128 }),
  description: t.optional(t.string({ maxLength: 1024 })),
  clauses: t.array(clauseSchema, { maxItems: 100 }),
  serve: serveSchema,
});
export type Rule = t.Static<typeof ruleSchema>;

export const targetSchema = t.object({
  contextKind: t.optional(contextKindSchema),
  variation: t.integer({ minimum: 0 }),
  values: t.array(t.string({ maxLength: 1024 }), { maxItems: 100_000 }),
});
export type Target = t.Static<typeof targetSchema>;

export const prerequisiteSchema = t.object({
  key: keySchema,
  variation: t.integer({ minimum: 0 }),
});
export type Prerequisite = t.Static<typeof prerequisiteSchema>;

/**
 * A flag as one environment evaluates it: the project-wide definition (key, kind, variations)
 * joined with that environment's configuration.
 */
export const flagSchema = t.object(
  {
    key: keySchema,
    version: t.integer({ minimum: 0 }),
    kind: t.enumOf(FLAG_KINDS),
    variations: t.array(variationSchema, { minItems: 1, maxItems: 1000 }),
    on: t.boolean(),
    offVariation: t.optional(
      t.integer({ minimum: 0, description: 'Served when off; absent means the caller default.' }),
    ),
    fallthrough: serveSchema,
    targets: t.optional(t.array(targetSchema, { maxItems: 1000 })),
    rules: t.optional(t.array(ruleSchema, { maxItems: 5000 })),
    prerequisites: t.optional(t.array(prerequisiteSchema, { maxItems: 100 })),
    salt: t.optional(t.string({ maxLength: 256, description: 'Default hash seed; defaults to the key.' })),
    clientVisible: t.optional(t.boolean({ description: 'Served to client-side SDKs.' })),
  },
  { title: 'Vexil flag', description: 'A flag configuration for one environment.' },
);
export type Flag = t.Static<typeof flagSchema>;
