import * as t from '../schema/builder.js';
import { clauseSchema, contextKindSchema } from './clause.js';
import { keySchema } from './flag.js';

export const segmentTargetSchema = t.object({
  contextKind: t.optional(contextKindSchema),
  values: t.array(t.string({ maxLength: 1024 }), { maxItems: 100_000 }),
});

export const segmentRuleSchema = t.object({
  id: t.string({ minLength: 1, maxLength: 128 }),
  description: t.optional(t.string({ maxLength: 1024 })),
  clauses: t.array(clauseSchema, { maxItems: 100 }),
});
export type SegmentRule = t.Static<typeof segmentRuleSchema>;

/**
 * A reusable audience. A context is in the segment when its key is included, or, unless its
 * key is excluded, when any rule matches.
 */
export const segmentSchema = t.object(
  {
    key: keySchema,
    version: t.integer({ minimum: 0 }),
    included: t.optional(t.array(segmentTargetSchema, { maxItems: 100 })),
    excluded: t.optional(t.array(segmentTargetSchema, { maxItems: 100 })),
    rules: t.optional(t.array(segmentRuleSchema, { maxItems: 1000 })),
    salt: t.optional(t.string({ maxLength: 256 })),
  },
  { title: 'Vexil segment' },
);
export type Segment = t.Static<typeof segmentSchema>;
