import type { JsonValue } from '@vexil/core';

/**
 * Analytics events as sent to POST /events/v1/bulk. Contexts are reduced to their keys by kind
 * (`{"user": "u-42", "organization": "acme"}`): attributes never leave the process.
 */
export type ContextKeys = Record<string, string>;

/** Evaluation counts per flag, version and variation over one interval (one per flush). */
export interface SummaryEvent {
  kind: 'summary';
  /** Epoch milliseconds. */
  startDate: number;
  endDate: number;
  flags: Record<string, { counters: SummaryCounter[] }>;
}

export interface SummaryCounter {
  version: number;
  /** The variation served, or null when the caller's default was returned. */
  variation: number | null;
  count: number;
  /** The flag did not exist (or no flags had been received). */
  unknown?: true;
}

/** A context was bucketed by an experiment rollout (`inExperiment`). */
export interface ExposureEvent {
  kind: 'exposure';
  creationDate: number;
  flagKey: string;
  version: number;
  variation: number;
  contextKeys: ContextKeys;
  /** The rule whose rollout bucketed the context (absent for the fallthrough). */
  ruleId?: string;
}

/** `client.track(key, context, value, data)`. */
export interface CustomEvent {
  kind: 'custom';
  creationDate: number;
  key: string;
  contextKeys: ContextKeys;
  value?: number;
  data?: JsonValue;
}

export type AnalyticsEvent = SummaryEvent | ExposureEvent | CustomEvent;

export interface EventPayload {
  sdk: { name: string; version: string };
  /** Events dropped (queue full) since the last delivered payload. */
  dropped: number;
  events: AnalyticsEvent[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A context's keys by kind; anything that is not a context gives `{}`. Never throws. */
export function contextKeys(context: unknown): ContextKeys {
  try {
    if (!isObject(context)) return {};
    if (context.kind === 'multi') {
      const out: ContextKeys = {};
      for (const [kind, member] of Object.entries(context))
        if (kind !== 'kind' && isObject(member) && typeof member.key === 'string') out[kind] = member.key;
      return out;
    }
    const kind = typeof context.kind === 'string' ? context.kind : 'user';
    return typeof context.key === 'string' ? { [kind]: context.key } : {};
  } catch {
    return {};
  }
}
