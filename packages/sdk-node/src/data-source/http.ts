import { HttpError, NetworkError, TimeoutError, UnauthorizedError, VexilError } from '../errors.js';

export const SDK_NAME = '@vexil/node';
export const SDK_VERSION = '0.1.0';
export const USER_AGENT = `VexilNode/${SDK_VERSION}`;

/** Headers every SDK request carries: the server key (LaunchDarkly style, no scheme) and who we are. */
export const sdkHeaders = (sdkKey: string): Record<string, string> => ({
  authorization: sdkKey,
  'user-agent': USER_AGENT,
});

/** The error a non-success response stands for; 401 and 403 stop the SDK from asking again. */
export function errorOfResponse(res: Response, what: string): VexilError {
  if (res.status === 401 || res.status === 403)
    return new UnauthorizedError(
      res.status,
      `${what}: ${res.status === 401 ? 'the SDK key is unknown, revoked or expired' : 'the key is not a server SDK key'} (HTTP ${res.status})`,
    );
  const retryAfter = Number(res.headers.get('retry-after'));
  return new HttpError(
    res.status,
    `${what}: HTTP ${res.status}`,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** A fetch failure as a VexilError: our own abort reasons pass through, the rest is network trouble. */
export function errorOfFetch(err: unknown, signal: AbortSignal, what: string): VexilError {
  if (signal.aborted && signal.reason instanceof VexilError) return signal.reason;
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new NetworkError(`${what}: ${detail}`, err);
}

/**
 * fetch with a deadline for the response headers (the caller's controller is aborted with a
 * TimeoutError when it passes). The body is the caller's to read, with its own timeouts.
 */
export async function fetchWithTimeout(
  url: string,
  init: RequestInit,
  controller: AbortController,
  timeoutMs: number,
  what: string,
): Promise<Response> {
  const timer = setTimeout(
    () => controller.abort(new TimeoutError(`${what}: no response within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch (err) {
    throw errorOfFetch(err, controller.signal, what);
  } finally {
    clearTimeout(timer);
  }
}

/** A timer that can be cancelled by stop(): resolves true when it ran out, false when cancelled. */
export class Sleeper {
  #timer: NodeJS.Timeout | undefined;
  #resolve: ((ran: boolean) => void) | undefined;

  sleep(ms: number): Promise<boolean> {
    this.cancel();
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#resolve = undefined;
        resolve(true);
      }, ms);
    });
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const r = this.#resolve;
    this.#resolve = undefined;
    r?.(false);
  }
}
