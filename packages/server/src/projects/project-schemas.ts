import { keySchema, schema as t } from '@vexil/core';
import { commentSchema } from '../flags/flag-schemas.js';

const colorSchema = t.string({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'CSS hex colour, e.g. #3366ff.' });
const originsSchema = t.array(t.string({ minLength: 1, maxLength: 256, pattern: '^(\\*|https?://[^/\\s]+)$' }), {
  maxItems: 100,
  description: 'Origins allowed to call the client-side endpoints (CORS); "*" for any.',
});

export const createProjectBody = t.object({
  key: keySchema,
  name: t.string({ minLength: 1, maxLength: 256 }),
  description: t.optional(t.string({ maxLength: 4000 })),
  environments: t.optional(
    t.array(
      t.object({ key: keySchema, name: t.string({ minLength: 1, maxLength: 256 }), color: t.optional(colorSchema) }),
      {
        minItems: 1,
        maxItems: 50,
        description: 'Default: production and staging.',
      },
    ),
  ),
  comment: t.optional(commentSchema),
});
export type CreateProjectBody = t.Static<typeof createProjectBody>;

export const updateProjectBody = t.object({
  name: t.optional(t.string({ minLength: 1, maxLength: 256 })),
  description: t.optional(t.string({ maxLength: 4000 })),
  comment: t.optional(commentSchema),
});
export type UpdateProjectBody = t.Static<typeof updateProjectBody>;

export const createEnvironmentBody = t.object({
  key: keySchema,
  name: t.string({ minLength: 1, maxLength: 256 }),
  color: t.optional(colorSchema),
  sortOrder: t.optional(t.integer({ minimum: 0, maximum: 10_000 })),
  allowedOrigins: t.optional(originsSchema),
  cloneFrom: t.optional(
    t.string({
      minLength: 1,
      maxLength: 256,
      description: 'Key of an environment whose flag configurations and segments are copied.',
    }),
  ),
  comment: t.optional(commentSchema),
});
export type CreateEnvironmentBody = t.Static<typeof createEnvironmentBody>;

export const updateEnvironmentBody = t.object({
  name: t.optional(t.string({ minLength: 1, maxLength: 256 })),
  color: t.optional(colorSchema),
  sortOrder: t.optional(t.integer({ minimum: 0, maximum: 10_000 })),
  allowedOrigins: t.optional(originsSchema),
  comment: t.optional(commentSchema),
});
export type UpdateEnvironmentBody = t.Static<typeof updateEnvironmentBody>;
