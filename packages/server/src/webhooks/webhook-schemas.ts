import { schema as t } from '@vexil/core';
import { commentSchema } from '../flags/flag-schemas.js';

const url = t.string({
  minLength: 8,
  maxLength: 2048,
  pattern: '^https?://[^\\s/?#]+[^\\s]*$',
  description: 'Where events are POSTed (http or https).',
});
const events = t.array(
  t.string({
    minLength: 1,
    maxLength: 128,
    pattern: '^(\\*|[a-z_]+\\.\\*|[a-z_]+\\.[a-z_.]+)$',
    description: '"*", a prefix such as "flag.*", or an action such as "flag.update".',
  }),
  { minItems: 1, maxItems: 50 },
);

export const createWebhookBody = t.object({
  name: t.string({ minLength: 1, maxLength: 256 }),
  url,
  events: t.optional(events),
  active: t.optional(t.boolean()),
  comment: t.optional(commentSchema),
});
export type CreateWebhookBody = t.Static<typeof createWebhookBody>;

export const updateWebhookBody = t.object({
  name: t.optional(t.string({ minLength: 1, maxLength: 256 })),
  url: t.optional(url),
  events: t.optional(events),
  active: t.optional(t.boolean()),
  comment: t.optional(commentSchema),
});
export type UpdateWebhookBody = t.Static<typeof updateWebhookBody>;

export const webhookParams = t.object({
  project: t.string({ minLength: 1, maxLength: 256 }),
  id: t.string({ minLength: 1, maxLength: 64 }),
});
