import { schema as t } from '@vexil/core';

const key = t.string({ minLength: 1, maxLength: 256 });
export const projectParams = t.object({ project: key });
export const environmentParams = t.object({ project: key, environment: key });
export const flagParams = t.object({ project: key, flag: key });
export const flagEnvParams = t.object({ project: key, flag: key, environment: key });
export const segmentParams = t.object({ project: key, environment: key, segment: key });

/** Decodes an opaque list cursor (base64url of the last key seen). */
export const decodeCursor = (c: string | undefined) =>
  c === undefined ? undefined : Buffer.from(c, 'base64url').toString('utf8');
export const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
