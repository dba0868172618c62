/** Database failures in terms the domain understands; the HTTP layer maps these to statuses. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export class UniqueViolationError extends Error {
  override readonly name = 'UniqueViolationError';
  constructor(readonly constraint: string | undefined) {
    super(`unique constraint ${constraint ?? ''} violated`);
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** Translates a driver error; anything unrecognised is returned unchanged. */
export function translateSqlError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: string; constraint?: string };
  if (e.code === '23505') return new UniqueViolationError(e.constraint);
  if (
    (e.code && CONNECTION_CODES.has(e.code)) ||
    // "…is not queryable": a pooled connection that was lost while checked out (see postgres.ts).
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|is not queryable/i.test(
      e.message,
    )
  ) {
    return new StoreUnavailableError(e.message, { cause: err });
  }
  return err;
}
