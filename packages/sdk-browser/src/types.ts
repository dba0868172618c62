/** A Vexil context: `{key, kind?, ...attributes}` or `{kind: 'multi', <kind>: {key, ...}}` (docs/wire-protocol.md). */
export type Context = { key?: string; kind?: string; [attribute: string]: unknown };

/** Why a value was served: the @vexil/core reason (only when the client asks `withReasons`). */
export interface Reason {
  kind: 'OFF' | 'TARGET_MATCH' | 'RULE_MATCH' | 'FALLTHROUGH' | 'PREREQUISITE_FAILED' | 'ERROR';
  ruleIndex?: number;
  ruleId?: string;
  prerequisiteKey?: string;
  errorKind?: string;
}

/** One flag as `/client/v1/evaluate` returns it for one context. */
export interface FlagState {
  value: unknown;
  variation: number | null;
  version: number;
  reason?: Reason;
  inExperiment?: boolean;
}

/** All client-visible flags for one context: the body of `/client/v1/evaluate` and of a stream's `put`. */
export interface FlagValues {
  flags: Record<string, FlagState>;
}

/** What `variationDetail` returns. `reason` is `ERROR` with `errorKind` when the caller's default is served. */
export interface EvaluationDetail<T> {
  value: T;
  variationIndex: number | null;
  reason?: Reason;
  version?: number;
  inExperiment?: boolean;
}

/** Where the values being served came from. */
export type Source = 'none' | 'bootstrap' | 'cache' | 'network';

/**
 * Whether the values being served can still change: `connecting` (no answer yet), `live` (a
 * stream is open, or the last poll answered), `stale` (the server cannot be reached: the values
 * are the last ones known), `failed` (the client-side ID was refused; nothing will change),
 * `offline` (the client was created offline).
 */
export type ConnectionStatus = 'connecting' | 'live' | 'stale' | 'failed' | 'offline';

export interface ClientOptions {
  /** The environment's client-side ID (`vxc_…`); it is not a secret. */
  clientId: string;
  /** The stream node's URL, e.g. `https://flags.example.com`. */
  baseUrl: string;
  /** The context to evaluate for. */
  context: Context;
  /** Server-rendered values for this context (the body of `/client/v1/evaluate`), served at once. */
  bootstrap?: FlagValues;
  /** Ask for each flag's reason (default false). */
  withReasons?: boolean;
  /** Live updates over server-sent events (default true); polling is the fallback either way. */
  streaming?: boolean;
  /** Polling interval when not streaming, and while the stream is down (default 30 000 ms). */
  pollIntervalMs?: number;
  /** Do not touch the network (server-side rendering, tests): serve bootstrap and cached values only. */
  offline?: boolean;
  /** Cache values per context in this storage (default `localStorage` when there is one; `null`: no cache). */
  storage?: Storage | null;
  /** Send exposure and custom events to `/events/v1/bulk` (default true). */
  sendEvents?: boolean;
  /** Flush queued events every this many ms (default 10 000) and when the page is hidden. */
  flushIntervalMs?: number;
  /** At most this many queued events; more are counted as dropped (default 500). */
  maxQueuedEvents?: number;
}

export type ChangeListener = (changedKeys: string[]) => void;
