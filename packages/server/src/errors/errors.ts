import type { Issue } from '@vexil/core';

/**
 * Transport-neutral failures. Domain code throws these; one boundary (http/problem.ts) maps
 * each `code` to an HTTP status and an RFC 9457 problem document.
 */
export const ERROR_CODES = {
  validation_failed: 'The request body or parameters are invalid.',
  not_found: 'The resource does not exist.',
  conflict: 'The resource already exists or is in a state that forbids this change.',
  precondition_failed: 'The resource changed since it was read (stale If-Match).',
  precondition_required: 'This write needs an If-Match header.',
  unauthenticated: 'Missing, invalid, revoked or expired credentials.',
  forbidden: 'The credentials are valid but lack the role this action needs.',
  csrf_failed: 'A session-authenticated write needs the X-CSRF-Token header.',
  rate_limited: 'Too many attempts; retry later.',
  payload_too_large: 'The request body exceeds the size limit.',
  body_too_deep: 'The JSON body is nested too deeply.',
  invalid_json: 'The request body is not valid JSON.',
  unsupported_media_type: 'The request body must be application/json.',
  store_unavailable: 'The database is unreachable; retry later.',
  internal: 'Unexpected server error.',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
    readonly issues: readonly Issue[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
export const invalid = (issues: readonly Issue[], message = ERROR_CODES.validation_failed) =>
  new AppError('validation_failed', message, issues);
export const invalidField = (path: string, code: string, message: string) => invalid([{ path, code, message }]);
export const forbidden = (message: string = ERROR_CODES.forbidden) => new AppError('forbidden', message);
export const unauthenticated = (message: string = ERROR_CODES.unauthenticated) =>
  new AppError('unauthenticated', message);
