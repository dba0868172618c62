import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { errorOfResponse, fetchWithTimeout } from '../data-source/http.js';
import { EventsError, type VexilError } from '../errors.js';
import type { EventPayload } from './types.js';

const gzipAsync = promisify(gzip);

/** `sent`; `retry` (network, 408, 429, 5xx: keep the events); `drop` (the server refuses them for good). */
export type SendOutcome = { outcome: 'sent' } | { outcome: 'retry' | 'drop'; error: VexilError };

/** POST /events/v1/bulk, gzip-compressed, with a payload id the server may use to ignore a repeat. */
export class EventSender {
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
  ) {}

  async send(payload: EventPayload): Promise<SendOutcome> {
    const body = await gzipAsync(JSON.stringify(payload));
    const controller = new AbortController();
    let res: Response;
    try {
      res = await fetchWithTimeout(
        this.url,
        {
          method: 'POST',
          headers: {
            ...this.headers,
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'x-vexil-payload-id': randomUUID(),
          },
          body,
        },
        controller,
        this.timeoutMs,
        'events',
      );
    } catch (err) {
      return { outcome: 'retry', error: err as VexilError };
    }
    res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { outcome: 'sent' };
    const error =
      res.status === 401 || res.status === 403
        ? errorOfResponse(res, 'events')
        : new EventsError(`events: HTTP ${res.status}`, res.status);
    const retry = res.status === 408 || res.status === 429 || res.status >= 500;
    return { outcome: retry ? 'retry' : 'drop', error };
  }
}
