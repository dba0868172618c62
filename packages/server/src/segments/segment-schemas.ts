import { keySchema, segmentSchema, schema as t } from '@vexil/core';
import { commentSchema, tagsSchema } from '../flags/flag-schemas.js';

const props = (segmentSchema as unknown as { properties: Record<string, t.Schema<unknown>> }).properties;

const segmentFields = {
  name: t.string({ minLength: 1, maxLength: 256 }),
  description: t.optional(t.string({ maxLength: 4000 })),
  tags: t.optional(tagsSchema),
  included: t.optional(props.included as t.Schema<NonNullable<t.Static<typeof segmentSchema>['included']>>),
  excluded: t.optional(props.excluded as t.Schema<NonNullable<t.Static<typeof segmentSchema>['excluded']>>),
  rules: t.optional(props.rules as t.Schema<NonNullable<t.Static<typeof segmentSchema>['rules']>>),
  comment: t.optional(commentSchema),
};

export const createSegmentBody = t.object({ key: keySchema, ...segmentFields });
export type CreateSegmentBody = t.Static<typeof createSegmentBody>;

export const putSegmentBody = t.object(segmentFields);
export type PutSegmentBody = t.Static<typeof putSegmentBody>;
