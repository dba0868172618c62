import { createHash } from 'node:crypto';
import {
  type EvaluationResult,
  type Flag,
  type Issue,
  type JsonValue,
  type Reason,
  type Schema,
  schema as t,
} from '@vexil/core';
import type { EnvironmentFeed } from './environment-feed.js';
import type { ChangeMessage } from './messages.js';

/**
 * Server-side evaluation for client-side SDKs: the rules stay on the server, a browser sends
 * its context and gets the values of the flags marked client-visible. The same evaluation
 * backs /client/v1 (Vexil's format) and /ofrep/v1 (OpenFeature's).
 */

// ---------------------------------------------------------------------------------------------
// Contexts

/** Kind names: those of @vexil/core clauses, without the reserved "multi" and "kind". */
export const CONTEXT_KIND_PATTERN = '^(?!(?:multi|kind)$)[A-Za-z0-9._-]{1,64}$';
const kindPattern = new RegExp(CONTEXT_KIND_PATTERN, 'u');

const contextKey = t.string({
  minLength: 1,
  maxLength: 1024,
  description: 'Identifies the context: targets, rollouts and experiments use it.',
});

/** `{kind?, key, ...attributes}`: `kind` defaults to "user"; `key` is required. */
export const singleContextSchema = t.object(
  {
    kind: t.optional(
      t.string({ pattern: CONTEXT_KIND_PATTERN, description: 'Default "user"; "multi" and "kind" are reserved.' }),
    ),
    key: contextKey,
  },
  {
    additionalProperties: true,
    description: 'One context kind: `key`, an optional `kind` (default user) and any attributes.',
  },
);

const memberSchema = t.object({ key: contextKey }, { additionalProperties: true });

/** `{kind: "multi", <kind>: {key, ...attributes}, ...}`: at least one member, each with a key. */
export const multiContextSchema = {
  type: 'object',
  properties: { kind: t.literal('multi') },
  required: ['kind'],
  additionalProperties: memberSchema,
  description: 'Several kinds at once: kind "multi" and one object (with a key) per kind.',
} as Schema<{ kind: 'multi'; [kind: string]: unknown }>;

export const contextSchema = t.union([singleContextSchema, multiContextSchema], {
  description: 'An evaluation context: a single kind with a key, or a multi-kind context.',
});
export type ClientContext = t.Static<typeof contextSchema>;

/** What the schema cannot say: a multi-context has at least one member and members are named like kinds. */
export function contextIssues(context: ClientContext, path: string): Issue[] {
  if (context.kind !== 'multi') return [];
  const members = Object.keys(context).filter((k) => k !== 'kind');
  const issues: Issue[] = [];
  if (members.length === 0)
    issues.push({ path, code: 'too_short', message: 'a multi-kind context needs at least one kind' });
  for (const m of members) {
    if (!kindPattern.test(m))
      issues.push({
        path: `${path}/${m.replaceAll('~', '~0').replaceAll('/', '~1')}`,
        code: 'invalid_format',
        message: `"${m}" is not a context kind name`,
      });
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** One flag's value for a client-side SDK. */
export interface ClientFlagValue {
  value: JsonValue;
  /** Index of the served variation; null when none is served (the SDK returns its default). */
  variation: number | null;
  version: number;
  /** Only when reasons were asked for. */
  reason?: Reason;
  /** Present (true) only when an experiment rollout bucketed this context. */
  inExperiment?: true;
}

export interface ClientEvaluation {
  flags: Record<string, ClientFlagValue>;
}

export interface EvaluationOptions {
  withReasons: boolean;
  /** Server SDK keys (OFREP) see every flag; client-side IDs only the client-visible ones. */
  allFlags?: boolean;
}

export const isServed = (flag: Flag | undefined, opts: EvaluationOptions): flag is Flag =>
  flag !== undefined && (opts.allFlags === true || flag.clientVisible === true);

export function toClientValue(r: EvaluationResult, withReasons: boolean): ClientFlagValue {
  return {
    value: r.value,
    variation: r.variationIndex,
    version: r.version,
    ...(withReasons ? { reason: r.reason } : {}),
    ...(r.inExperiment ? { inExperiment: true as const } : {}),
  };
}

const visibleKeys = new WeakMap<EnvironmentFeed, { seq: number; keys: string[] }>();
/** The client-visible flag keys of a feed, listed once per sequence number. */
export function clientVisibleKeys(feed: EnvironmentFeed): string[] {
  let entry = visibleKeys.get(feed);
  if (entry?.seq !== feed.seq) {
    entry = { seq: feed.seq, keys: [...feed.flags.values()].filter((f) => f.clientVisible === true).map((f) => f.key) };
    visibleKeys.set(feed, entry);
  }
  return entry.keys;
}

/** One flag, or undefined when it does not exist or is not served to this caller. */
export function evaluateOne(
  feed: EnvironmentFeed,
  key: string,
  context: unknown,
  opts: EvaluationOptions,
): EvaluationResult | undefined {
  if (!isServed(feed.flags.get(key), opts)) return undefined;
  return feed.evaluator.evaluate(key, context);
}

// Core's results are frozen and shared (one object per flag version, variation and reason), so
// the JSON of one is computed once and reused for every context that gets it.
const valueJson = [new WeakMap<EvaluationResult, string>(), new WeakMap<EvaluationResult, string>()] as const;
const keyJson = new Map<string, string>();

/**
 * The JSON body of `evaluateAll` without building the object first: byte for byte the same as
 * `JSON.stringify(evaluateAll(...))`, at a fraction of the cost for large flag sets.
 */
export function renderEvaluation(feed: EnvironmentFeed, context: unknown, opts: EvaluationOptions): string {
  const keys = opts.allFlags ? [...feed.flags.keys()] : clientVisibleKeys(feed);
  const cache = valueJson[opts.withReasons ? 1 : 0];
  const parts: string[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const r = feed.evaluator.evaluate(key, context);
    let value = cache.get(r);
    if (value === undefined) {
      value = JSON.stringify(toClientValue(r, opts.withReasons));
      cache.set(r, value);
    }
    let k = keyJson.get(key);
    if (k === undefined) {
      if (keyJson.size > 100_000) keyJson.clear();
      k = JSON.stringify(key);
      keyJson.set(key, k);
    }
    parts[i] = `${k}:${value}`;
  }
  return `{"flags":{${parts.join(',')}}}`;
}

/** Every flag served to the caller, evaluated for one context. */
export function evaluateAll(feed: EnvironmentFeed, context: unknown, opts: EvaluationOptions): ClientEvaluation {
  const keys = opts.allFlags ? [...feed.flags.keys()] : clientVisibleKeys(feed);
  const flags: Record<string, ClientFlagValue> = {};
  for (const key of keys) flags[key] = toClientValue(feed.evaluator.evaluate(key, context), opts.withReasons);
  return { flags };
}

// ---------------------------------------------------------------------------------------------
// ETags

/** JSON with object keys sorted, so that attribute order does not change a context's hash. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/**
 * A validator for one context's evaluation: the environment, its sequence number and a hash of
 * the context and of whatever else shapes the response (`variant`: format, reasons, which
 * flags). It changes with every change of the environment, so a 304 never hides one, and it
 * costs no evaluation to check.
 */
export function evaluationEtag(feed: EnvironmentFeed, context: unknown, variant: string): string {
  const hash = createHash('sha256')
    .update(`${feed.environmentId}\0${variant}\0${canonicalJson(context)}`)
    .digest('base64url')
    .slice(0, 22);
  return `"${feed.seq}-${hash}"`;
}

/** If-None-Match against one ETag: `*`, lists and weak validators (W/"…") are understood. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return true;
  return text.split(',').some((part) => part.trim().replace(/^W\//, '') === etag);
}

// ---------------------------------------------------------------------------------------------
// Streaming: what a change alters for one context

const affectedByChange = new WeakMap<EnvironmentFeed, { seq: number; keys: ReadonlySet<string> | 'all' }>();

/**
 * The flags whose result a change can alter: the changed flag and every flag that depends on
 * it through prerequisites (transitively); any flag when a segment changed. Computed once per
 * change per node and shared by every stream of the environment.
 */
export function affectedFlags(feed: EnvironmentFeed, m: ChangeMessage): ReadonlySet<string> | 'all' {
  const cached = affectedByChange.get(feed);
  if (cached?.seq === m.seq && feed.seq === m.seq) return cached.keys;
  let keys: ReadonlySet<string> | 'all';
  if (m.entity === 'segment') keys = 'all';
  else {
    const dependents = new Map<string, string[]>();
    for (const f of feed.flags.values()) {
      for (const p of f.prerequisites ?? []) {
        const list = dependents.get(p.key);
        if (list) list.push(f.key);
        else dependents.set(p.key, [f.key]);
      }
    }
    const found = new Set<string>([m.key]);
    const queue = [m.key];
    for (let k = queue.pop(); k !== undefined; k = queue.pop()) {
      for (const d of dependents.get(k) ?? []) {
        if (!found.has(d)) {
          found.add(d);
          queue.push(d);
        }
      }
    }
    keys = found;
  }
  affectedByChange.set(feed, { seq: m.seq, keys });
  return keys;
}

/** What a stream pushes: changed flags with their new value, removed ones as null. */
export type ClientPatch = Record<string, ClientFlagValue | null>;

/**
 * One streaming context's view of a feed: remembers what it last sent for each flag and, on a
 * change, re-evaluates only the flags that change can alter, reporting those whose value,
 * variation, experiment membership or (when asked for) reason differ. A change of the version
 * alone (a rename, an edit of targeting that serves this context the same) is not pushed; the
 * version is carried in every entry that is.
 */
export class ContextEvaluation {
  readonly #sent = new Map<string, string>();
  constructor(
    readonly feed: EnvironmentFeed,
    readonly context: unknown,
    readonly opts: EvaluationOptions,
  ) {}

  /** Every served flag, recorded as sent: the `put` of a stream. */
  all(): ClientEvaluation {
    const result = evaluateAll(this.feed, this.context, this.opts);
    this.#sent.clear();
    for (const [key, v] of Object.entries(result.flags)) this.#sent.set(key, fingerprint(v));
    return result;
  }

  /** The patch for one applied change, or undefined when it alters nothing for this context. */
  change(m: ChangeMessage): ClientPatch | undefined {
    const keys = affectedFlags(this.feed, m);
    return this.#diff(keys === 'all' ? this.#everyKnownKey() : keys);
  }

  /** After the feed was replaced wholesale: everything is re-evaluated, only differences are sent. */
  resync(): ClientPatch | undefined {
    return this.#diff(this.#everyKnownKey());
  }

  #everyKnownKey(): Iterable<string> {
    const keys = new Set(this.opts.allFlags ? this.feed.flags.keys() : clientVisibleKeys(this.feed));
    for (const k of this.#sent.keys()) keys.add(k);
    return keys;
  }

  #diff(keys: Iterable<string>): ClientPatch | undefined {
    const patch: ClientPatch = {};
    let changed = false;
    for (const key of keys) {
      const r = evaluateOne(this.feed, key, this.context, this.opts);
      if (r === undefined) {
        if (this.#sent.delete(key)) {
          patch[key] = null;
          changed = true;
        }
        continue;
      }
      const v = toClientValue(r, this.opts.withReasons);
      const fp = fingerprint(v);
      if (this.#sent.get(key) !== fp) {
        this.#sent.set(key, fp);
        patch[key] = v;
        changed = true;
      }
    }
    return changed ? patch : undefined;
  }
}

const fingerprint = (v: ClientFlagValue) =>
  JSON.stringify([v.value, v.variation, v.inExperiment ?? false, v.reason ?? null]);
