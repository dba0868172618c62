import { fetchValues, VexilHttpError } from './fetch-values.js';
import type { FlagState, FlagValues } from './types.js';

export interface LiveUpdatesOptions {
  /** `…/client/v1/` with `?clientId=…&context=…[&withReasons=true]` appended by the caller. */
  evaluateUrl: string;
  streamUrl: string | undefined;
  pollIntervalMs: number;
  onValues(values: FlagValues): void;
  onPatch(flags: Record<string, FlagState | null>): void;
  onError(err: Error): void;
  /** `live` after a put or an answered poll, `stale` after a failed poll, `failed` after 401/403. */
  onStatus(status: 'live' | 'stale' | 'failed'): void;
}

/**
 * Keeps one context's values current: one fetch at once, then the context's server-sent event
 * stream (`put` replaces, `patch` merges). While the stream is down, or when there is no
 * `EventSource`, values are polled instead; a stream the browser gave up on (an HTTP error) is
 * reopened after a polling interval. A 401 or 403 stops everything: the ID will not start working.
 */
export class LiveUpdates {
  private source: EventSource | undefined;
  private poller: ReturnType<typeof setInterval> | undefined;
  private reopen: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** A stream delivered a `put` and has not failed since: fetched values could be older than its patches. */
  private live = false;
  /** Resolves after the first values arrived or the first attempt failed. */
  readonly first: Promise<void>;

  constructor(private readonly o: LiveUpdatesOptions) {
    this.first = this.poll();
    if (o.streamUrl && typeof EventSource === 'function') this.openStream(o.streamUrl);
    else this.startPolling();
  }

  private async poll(): Promise<void> {
    try {
      const values = await fetchValues(this.o.evaluateUrl);
      if (this.closed || this.live) return;
      this.o.onValues(values);
      this.o.onStatus('live');
    } catch (err) {
      if (this.closed) return;
      const refused = err instanceof VexilHttpError && (err.status === 401 || err.status === 403);
      if (refused) this.close();
      this.o.onError(err as Error);
      if (refused) this.o.onStatus('failed');
      else if (!this.live) this.o.onStatus('stale');
    }
  }

  private startPolling(): void {
    this.poller ??= setInterval(() => void this.poll(), this.o.pollIntervalMs);
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private openStream(url: string): void {
    const es = new EventSource(url);
    this.source = es;
    const data = (e: Event) => JSON.parse((e as MessageEvent<string>).data) as FlagValues;
    es.addEventListener('put', (e) => {
      this.live = true;
      this.stopPolling();
      this.o.onValues(data(e));
      this.o.onStatus('live');
    });
    es.addEventListener('patch', (e) => this.o.onPatch(data(e).flags));
    es.onerror = () => {
      if (this.closed) return;
      this.live = false;
      this.startPolling();
      if (es.readyState === 2) {
        this.reopen = setTimeout(() => !this.closed && this.openStream(url), this.o.pollIntervalMs);
      }
    };
  }

  close(): void {
    this.closed = true;
    this.stopPolling();
    clearTimeout(this.reopen);
    this.source?.close();
  }
}
