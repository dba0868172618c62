import type { FlagValues } from './types.js';

/** An HTTP failure of the Vexil server, with its status (0 when the network failed). */
export class VexilHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'VexilHttpError';
  }
}

/**
 * One `GET /client/v1/evaluate?clientId=…&context=…`: a simple CORS request (no preflight), and
 * the browser's HTTP cache revalidates it with the server's ETag (`Cache-Control: no-cache`), so
 * an unchanged environment costs a 304.
 */
export async function fetchValues(url: string, timeoutMs = 10_000): Promise<FlagValues> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new VexilHttpError(0, `Vexil unreachable: ${(err as Error).message}`);
  }
  if (!res.ok) throw new VexilHttpError(res.status, `Vexil answered ${res.status}`);
  return (await res.json()) as FlagValues;
}
