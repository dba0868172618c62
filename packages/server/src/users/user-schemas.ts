import { keySchema, schema as t } from '@vexil/core';
import { ROLES } from '../auth/principal.js';
import { commentSchema } from '../flags/flag-schemas.js';

export const MIN_PASSWORD_LENGTH = 12;

const email = t.string({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'Login name.' });
const name = t.string({ minLength: 1, maxLength: 256 });
const passwordLength = { minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 };
export const passwordSchema = t.string({
  ...passwordLength,
  description: `At least ${MIN_PASSWORD_LENGTH} characters.`,
});

export const userIdParams = t.object({ id: t.string({ minLength: 1, maxLength: 64 }) });
export const membershipParams = t.object({
  id: t.string({ minLength: 1, maxLength: 64 }),
  project: t.string({ minLength: 1, maxLength: 256 }),
});

export const createUserBody = t.object({
  email,
  name,
  password: t.optional(
    t.string({
      ...passwordLength,
      description: `At least ${MIN_PASSWORD_LENGTH} characters; omit to have one generated and returned once.`,
    }),
  ),
  isAdmin: t.optional(t.boolean({ description: 'Administers the installation (default false).' })),
  comment: t.optional(commentSchema),
});
export type CreateUserBody = t.Static<typeof createUserBody>;

export const updateUserBody = t.object({
  name: t.optional(name),
  isAdmin: t.optional(t.boolean()),
  disabled: t.optional(t.boolean({ description: 'Disabling ends the user’s sessions.' })),
  password: t.optional(passwordSchema),
  comment: t.optional(commentSchema),
});
export type UpdateUserBody = t.Static<typeof updateUserBody>;

export const membershipBody = t.object({
  role: t.enumOf(ROLES),
  environments: t.optional(
    t.union([t.array(keySchema, { maxItems: 50 }), t.nullType()], {
      description: 'Environment keys the role is limited to for writes; null or absent: all.',
    }),
  ),
  comment: t.optional(commentSchema),
});
export type MembershipBody = t.Static<typeof membershipBody>;

export const loginBody = t.object({
  email: t.string({ minLength: 1, maxLength: 254 }),
  password: t.string({ minLength: 1, maxLength: 1024 }),
});
export type LoginBody = t.Static<typeof loginBody>;

export const changePasswordBody = t.object({
  currentPassword: t.string({ minLength: 1, maxLength: 1024 }),
  newPassword: passwordSchema,
});
export type ChangePasswordBody = t.Static<typeof changePasswordBody>;
