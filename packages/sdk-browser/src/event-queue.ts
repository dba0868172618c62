/** An analytics event in the format of `POST /events/v1/bulk`. */
export type AnalyticsEvent =
  | {
      kind: 'exposure';
      creationDate: number;
      flagKey: string;
      version: number;
      variation: number;
      contextKeys: Record<string, string>;
      ruleId?: string;
    }
  | {
      kind: 'custom';
      creationDate: number;
      key: string;
      contextKeys: Record<string, string>;
      value?: number;
      data?: unknown;
    };

export interface EventQueueOptions {
  url: string;
  clientId: string;
  flushIntervalMs: number;
  maxQueued: number;
}

/**
 * Batches events in memory (at most `maxQueued`; beyond that they are counted as dropped) and
 * sends them every `flushIntervalMs` and when the page is hidden or unloaded (a `keepalive`
 * fetch, which outlives the page). An endpoint that refuses client-side IDs (401, 403, 404)
 * turns the queue off for good, silently: events are best effort and never an error for the page.
 */
export class EventQueue {
  private queue: AnalyticsEvent[] = [];
  private dropped = 0;
  private off = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly onHide = (e: Event) => {
    if (e.type === 'pagehide' || globalThis.document?.visibilityState === 'hidden') void this.flush();
  };

  constructor(private readonly opts: EventQueueOptions) {
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    globalThis.document?.addEventListener('visibilitychange', this.onHide);
    globalThis.addEventListener?.('pagehide', this.onHide);
  }

  get accepting(): boolean {
    return !this.off;
  }

  push(e: AnalyticsEvent): void {
    if (this.off) return;
    if (this.queue.length >= this.opts.maxQueued) this.dropped++;
    else this.queue.push(e);
  }

  /** Sends what is queued; resolves when the request is done (never rejects). */
  async flush(): Promise<void> {
    if (this.off || (this.queue.length === 0 && this.dropped === 0)) return;
    const body = JSON.stringify({
      sdk: { name: 'vexil-browser', version: '0.1.0' },
      ...(this.dropped ? { dropped: this.dropped } : {}),
      events: this.queue,
    });
    this.queue = [];
    this.dropped = 0;
    try {
      const res = await fetch(`${this.opts.url}?clientId=${encodeURIComponent(this.opts.clientId)}`, {
        method: 'POST',
        keepalive: body.length < 60_000,
        headers: { 'content-type': 'application/json', authorization: this.opts.clientId },
        body,
      });
      if (res.status === 401 || res.status === 403 || res.status === 404) this.close();
    } catch {
      // Offline or refused by CORS: this batch is lost, the next one tries again.
    }
  }

  close(): void {
    this.off = true;
    this.queue = [];
    clearInterval(this.timer);
    globalThis.document?.removeEventListener('visibilitychange', this.onHide);
    globalThis.removeEventListener?.('pagehide', this.onHide);
  }
}
