import type { FlagEntry } from '../store.js';
import type { SummaryCounter, SummaryEvent } from './types.js';

/**
 * Evaluation counts, summarised in process: each variation call increments a counter on its
 * flag entry (an array indexed by variation, allocated on the entry's first evaluation of an
 * interval), and the summary collects the entries that were counted. Entries are per flag
 * version, so counts of a version replaced mid-interval are kept with that version.
 */
export class Summarizer {
  #entries: FlagEntry[] = [];
  #unknown = new Map<string, number>();
  #start = 0;

  /** An entry got its first count of the interval (its `counts` was just allocated). */
  track(entry: FlagEntry): void {
    if (this.#start === 0) this.#start = Date.now();
    this.#entries.push(entry);
  }

  /** A variation call for a flag that does not exist. */
  unknown(key: string): void {
    if (this.#start === 0) this.#start = Date.now();
    if (this.#unknown.size >= 10_000 && !this.#unknown.has(key)) return;
    this.#unknown.set(key, (this.#unknown.get(key) ?? 0) + 1);
  }

  get empty(): boolean {
    return this.#entries.length === 0 && this.#unknown.size === 0;
  }

  /** The summary of the interval that ends now (undefined when nothing was evaluated); counters restart. */
  take(): SummaryEvent | undefined {
    if (this.empty) return undefined;
    const flags: SummaryEvent['flags'] = {};
    const counters = (key: string): SummaryCounter[] => {
      let f = flags[key];
      if (!f) flags[key] = f = { counters: [] };
      return f.counters;
    };
    for (const e of this.#entries) {
      const counts = e.counts;
      e.counts = undefined;
      if (!counts) continue;
      const list = counters(e.key);
      for (let i = 0; i < counts.length; i++) {
        const count = counts[i] as number;
        if (count > 0) list.push({ version: e.version, variation: i === e.variationCount ? null : i, count });
      }
    }
    for (const [key, count] of this.#unknown) counters(key).push({ version: 0, variation: null, count, unknown: true });
    const summary: SummaryEvent = { kind: 'summary', startDate: this.#start, endDate: Date.now(), flags };
    this.#entries = [];
    this.#unknown = new Map();
    this.#start = 0;
    return summary;
  }
}
