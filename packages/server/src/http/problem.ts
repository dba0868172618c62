import type { Issue } from '@vexil/core';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors/errors.js';
import { StoreUnavailableError } from '../infra/sql/errors.js';

/** The one place error codes become HTTP statuses; adding a code fails to compile until it is mapped here. */
export const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_json: 400,
  body_too_deep: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  store_unavailable: 503,
};

/** An RFC 9457 problem document; `errors` lists every invalid field with its JSON Pointer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: readonly Issue[];
}

export const PROBLEM_BASE = 'https://vexil.dev/errors/';

export function toProblem(err: unknown, instance?: string): { problem: Problem; retryAfter?: number } {
  const app = normalise(err);
  const status = STATUS[app.code];
  const problem: Problem = {
    type: `${PROBLEM_BASE}${app.code}`,
    title: ERROR_CODES[app.code],
    status,
    detail: app.message,
    code: app.code,
    ...(instance ? { instance } : {}),
    ...(app.issues.length > 0 ? { errors: app.issues } : {}),
  };
  return app.retryAfterSeconds === undefined ? { problem } : { problem, retryAfter: app.retryAfterSeconds };
}

function normalise(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError)
    return new AppError('store_unavailable', ERROR_CODES.store_unavailable, [], 5);
  const e = err as { code?: string; statusCode?: number; message?: string };
  // Fastify's own errors for what happens before a handler runs.
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', e.message);
  }
  if (e?.statusCode === 404) return new AppError('not_found', 'no such route');
  if (e?.statusCode === 400 && e.message) return new AppError('validation_failed', e.message);
  return new AppError('internal');
}
