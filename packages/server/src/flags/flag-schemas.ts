import {
  FLAG_KINDS,
  keySchema,
  prerequisiteSchema,
  ruleSchema,
  serveSchema,
  schema as t,
  targetSchema,
  variationSchema,
} from '@vexil/core';

const tagsSchema = t.array(t.string({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:/-]+$' }), { maxItems: 50 });
const commentSchema = t.string({ maxLength: 2000, description: 'Why: kept in the audit log.' });

export const createFlagBody = t.object({
  key: keySchema,
  name: t.string({ minLength: 1, maxLength: 256 }),
  description: t.optional(t.string({ maxLength: 4000 })),
  kind: t.optional(t.enumOf(FLAG_KINDS, { description: 'Default boolean.' })),
  variations: t.optional(
    t.array(variationSchema, { minItems: 1, maxItems: 1000, description: 'Default [true, false] for boolean flags.' }),
  ),
  defaults: t.optional(
    t.object({
      onVariation: t.integer({
        minimum: 0,
        description: 'Served by the fallthrough of every environment when turned on.',
      }),
      offVariation: t.integer({ minimum: 0 }),
    }),
  ),
  tags: t.optional(tagsSchema),
  temporary: t.optional(t.boolean({ description: 'A release flag to remove later (default true), or permanent.' })),
  maintainer: t.optional(t.string({ maxLength: 256 })),
  clientVisible: t.optional(t.boolean({ description: 'Served to client-side SDKs.' })),
  comment: t.optional(commentSchema),
});
export type CreateFlagBody = t.Static<typeof createFlagBody>;

export const updateFlagBody = t.object({
  name: t.optional(t.string({ minLength: 1, maxLength: 256 })),
  description: t.optional(t.string({ maxLength: 4000 })),
  variations: t.optional(t.array(variationSchema, { minItems: 1, maxItems: 1000 })),
  tags: t.optional(tagsSchema),
  temporary: t.optional(t.boolean()),
  maintainer: t.optional(t.union([t.string({ maxLength: 256 }), t.nullType()])),
  clientVisible: t.optional(t.boolean()),
  comment: t.optional(commentSchema),
});
export type UpdateFlagBody = t.Static<typeof updateFlagBody>;

/** An environment's targeting for one flag: everything of a core flag that differs by environment. */
const flagConfigProps = {
  on: t.boolean(),
  offVariation: t.optional(t.integer({ minimum: 0 })),
  fallthrough: serveSchema,
  targets: t.optional(t.array(targetSchema, { maxItems: 1000 })),
  rules: t.optional(t.array(ruleSchema, { maxItems: 5000 })),
  prerequisites: t.optional(t.array(prerequisiteSchema, { maxItems: 100 })),
  salt: t.optional(t.string({ maxLength: 256 })),
};
export const flagConfigSchema = t.object(flagConfigProps);
export type FlagConfig = t.Static<typeof flagConfigSchema>;

export const putFlagConfigBody = t.object({ ...flagConfigProps, comment: t.optional(commentSchema) });
export type PutFlagConfigBody = t.Static<typeof putFlagConfigBody>;

const instruction = <K extends string, P extends Record<string, t.Schema<unknown>>>(kind: K, props: P) =>
  t.object({ kind: t.literal(kind), ...props });

const contextKind = t.optional(t.string({ minLength: 1, maxLength: 64 }));

/** Semantic changes, applied in order to the current configuration, then validated as a whole. */
export const instructionSchema = t.union([
  instruction('turnFlagOn', {}),
  instruction('turnFlagOff', {}),
  instruction('addRule', { rule: ruleSchema, beforeRuleId: t.optional(t.string({ minLength: 1 })) }),
  instruction('replaceRule', { rule: ruleSchema }),
  instruction('removeRule', { ruleId: t.string({ minLength: 1 }) }),
  instruction('reorderRules', { ruleIds: t.array(t.string({ minLength: 1 }), { maxItems: 5000 }) }),
  instruction('setRuleServe', { ruleId: t.string({ minLength: 1 }), serve: serveSchema }),
  instruction('setFallthrough', { serve: serveSchema }),
  instruction('setOffVariation', { variation: t.integer({ minimum: 0 }) }),
  instruction('addTargets', {
    contextKind,
    variation: t.integer({ minimum: 0 }),
    values: t.array(t.string({ maxLength: 1024 }), { minItems: 1, maxItems: 10_000 }),
  }),
  instruction('removeTargets', {
    contextKind,
    values: t.array(t.string({ maxLength: 1024 }), { minItems: 1, maxItems: 10_000 }),
  }),
  instruction('addPrerequisite', { key: keySchema, variation: t.integer({ minimum: 0 }) }),
  instruction('removePrerequisite', { key: keySchema }),
  instruction('copyFromEnvironment', { environment: keySchema }),
]);
export type Instruction = t.Static<typeof instructionSchema>;

export const patchFlagConfigBody = t.object({
  instructions: t.array(instructionSchema, { minItems: 1, maxItems: 100 }),
  comment: t.optional(commentSchema),
});
export type PatchFlagConfigBody = t.Static<typeof patchFlagConfigBody>;

export const flagListQuery = t.object({
  q: t.optional(t.string({ maxLength: 256, description: 'Matches key or name, case-insensitively.' })),
  tag: t.optional(t.string({ maxLength: 64 })),
  state: t.optional(t.enumOf(['active', 'archived', 'all'] as const, { description: 'Default active.' })),
  limit: t.optional(t.string({ pattern: '^[0-9]{1,3}$', description: '1..100, default 50.' })),
  cursor: t.optional(t.string({ maxLength: 512 })),
});
export type FlagListQuery = t.Static<typeof flagListQuery>;

export { commentSchema, tagsSchema };
