import { schema as t } from '@vexil/core';
import { ROLES } from '../auth/principal.js';
import { commentSchema } from '../flags/flag-schemas.js';
import { expiryFields, graceField } from './expiry.js';
import { SDK_KEY_KINDS } from './sdk-key-store.js';

const keyLength = { minLength: 1, maxLength: 256 };

export const createTokenBody = t.object({
  name: t.string({ minLength: 1, maxLength: 256, description: 'What uses it, e.g. "deploy pipeline".' }),
  role: t.enumOf(ROLES),
  project: t.optional(t.string({ ...keyLength, description: 'Project key; absent: every project.' })),
  environment: t.optional(
    t.string({ ...keyLength, description: 'Environment key (needs project): writes only there.' }),
  ),
  ...expiryFields,
  comment: t.optional(commentSchema),
});
export type CreateTokenBody = t.Static<typeof createTokenBody>;

export const rotateTokenBody = t.object({
  gracePeriodSeconds: graceField,
  ...expiryFields,
  comment: t.optional(commentSchema),
});
export type RotateTokenBody = t.Static<typeof rotateTokenBody>;

export const createSdkKeyBody = t.object({
  kind: t.enumOf(SDK_KEY_KINDS, { description: 'server: secret key for server SDKs; client: public client-side ID.' }),
  comment: t.optional(commentSchema),
});
export type CreateSdkKeyBody = t.Static<typeof createSdkKeyBody>;

export const rotateSdkKeyBody = t.object({ gracePeriodSeconds: graceField, comment: t.optional(commentSchema) });
export type RotateSdkKeyBody = t.Static<typeof rotateSdkKeyBody>;

export const credentialListQuery = t.object({
  state: t.optional(
    t.enumOf(['active', 'all'] as const, { description: 'Default active: hides revoked and expired.' }),
  ),
});
export type CredentialListQuery = t.Static<typeof credentialListQuery>;

export const idParams = t.object({ id: t.string({ minLength: 1, maxLength: 64 }) });
export const sdkKeyParams = t.object({
  project: t.string(keyLength),
  environment: t.string(keyLength),
  id: t.string({ minLength: 1, maxLength: 64 }),
});
