import {
  type CodegenMode,
  type CompiledFlag,
  createEvaluator,
  type EvaluationResult,
  type Evaluator,
  type Issue,
} from '@vexil/core';
import type { NormalizedSnapshot } from './snapshot.js';
import type { FlagChange } from './types.js';

/** What the SDK keeps about a flag beside core's compiled flag; identical ones are shared between flags. */
export interface FlagMeta {
  readonly malformed: boolean;
  /** Number of variations: summary counters have one more slot, for "the default was returned". */
  readonly variationCount: number;
  /** Variation names, when the flag has any (OpenFeature variants). */
  readonly variationNames: readonly (string | undefined)[] | undefined;
  /** The fallthrough is a rollout over several variations (OpenFeature reason SPLIT). */
  readonly splitFallthrough: boolean;
  /** Prerequisite flags and segments used, for change events of dependent flags. */
  readonly deps: Deps | undefined;
}

/**
 * One flag as the SDK serves it: @vexil/core's compiled flag, its counters and shared metadata
 * (three fields: 10,000 flags cost the SDK well under a megabyte beyond core). A new entry
 * replaces the old one on every update, so an entry's version never changes and its summary
 * counters count that version only.
 */
export class FlagEntry {
  /** Evaluation counts per variation index (last slot: default returned), since the last summary. */
  counts: Float64Array | undefined = undefined;

  constructor(
    /** @vexil/core's compiled flag; for a flag core refused, a stub answering ERROR/MALFORMED_FLAG. */
    readonly compiled: CompiledFlag,
    readonly meta: FlagMeta,
  ) {}

  get key(): string {
    return this.compiled.key;
  }
  get version(): number {
    return this.compiled.version;
  }
  get kind(): string {
    return this.compiled.kind;
  }
  get malformed(): boolean {
    return this.meta.malformed;
  }
  get variationCount(): number {
    return this.meta.variationCount;
  }
  get variationNames(): readonly (string | undefined)[] | undefined {
    return this.meta.variationNames;
  }
  get splitFallthrough(): boolean {
    return this.meta.splitFallthrough;
  }
  get deps(): Deps | undefined {
    return this.meta.deps;
  }
}

interface Deps {
  readonly flags: readonly string[];
  readonly segments: readonly string[];
}

interface SegmentInfo {
  readonly version: number;
  /** Segments it refers to (segmentMatch inside its rules). */
  readonly segments: readonly string[] | undefined;
}

export interface ApplyResult {
  /** False when the data was older than what the store holds, and was ignored. */
  applied: boolean;
  changes: FlagChange[];
  /** Problems @vexil/core found; the affected flags are served as MALFORMED_FLAG (or kept at their previous version). */
  issues: Issue[];
}

const MALFORMED_REASON = Object.freeze({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' } as const);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function malformedStub(key: string, version: number, kind: string): CompiledFlag {
  const result: EvaluationResult = Object.freeze({
    value: null,
    variationIndex: null,
    reason: MALFORMED_REASON,
    version,
    inExperiment: false,
  });
  return { key, version, kind, clientVisible: false, tier: 'closures', evaluate: () => result };
}

/** segmentMatch values inside a list of rules. */
function segmentRefs(rules: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(rules)) return out;
  for (const rule of rules) {
    if (!isObject(rule) || !Array.isArray(rule.clauses)) continue;
    for (const c of rule.clauses) {
      if (isObject(c) && c.op === 'segmentMatch' && Array.isArray(c.values))
        for (const v of c.values) if (typeof v === 'string' && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

function depsOf(flag: Record<string, unknown>): Deps | undefined {
  const flags: string[] = [];
  if (Array.isArray(flag.prerequisites))
    for (const p of flag.prerequisites) if (isObject(p) && typeof p.key === 'string') flags.push(p.key);
  const segments = segmentRefs(flag.rules);
  return flags.length === 0 && segments.length === 0 ? undefined : { flags, segments };
}

/** Variation-name arrays are shared between flags (most flags use the same few). */
const namesCache = new Map<string, readonly (string | undefined)[]>();
function namesOf(variations: unknown): readonly (string | undefined)[] | undefined {
  if (!Array.isArray(variations)) return undefined;
  const names = variations.map((v) => (isObject(v) && typeof v.name === 'string' ? v.name : undefined));
  if (names.every((n) => n === undefined)) return undefined;
  const id = JSON.stringify(names);
  let shared = namesCache.get(id);
  if (shared === undefined) {
    if (namesCache.size > 10_000) namesCache.clear();
    shared = Object.freeze(names);
    namesCache.set(id, shared);
  }
  return shared;
}

function splits(flag: Record<string, unknown>): boolean {
  const f = flag.fallthrough;
  if (!isObject(f) || !isObject(f.rollout) || !Array.isArray(f.rollout.variations)) return false;
  return f.rollout.variations.filter((v) => isObject(v) && typeof v.weight === 'number' && v.weight > 0).length > 1;
}

const metaCache = new Map<string, FlagMeta>();

function entryOf(raw: Record<string, unknown>, compiled: CompiledFlag | undefined): FlagEntry {
  const key = raw.key as string;
  const version = typeof raw.version === 'number' ? raw.version : 0;
  const kind = typeof raw.kind === 'string' ? raw.kind : 'json';
  const meta: FlagMeta = {
    malformed: compiled === undefined,
    variationCount: Array.isArray(raw.variations) ? raw.variations.length : 0,
    variationNames: namesOf(raw.variations),
    splitFallthrough: splits(raw),
    deps: depsOf(raw),
  };
  return new FlagEntry(compiled ?? malformedStub(key, version, kind), meta.deps ? meta : shared(meta));
}

/** Flags without dependencies mostly have one of a few metadata combinations: one object each. */
function shared(meta: FlagMeta): FlagMeta {
  const id = `${meta.malformed}|${meta.variationCount}|${meta.splitFallthrough}|${meta.variationNames ? JSON.stringify(meta.variationNames) : ''}`;
  let m = metaCache.get(id);
  if (m === undefined) {
    if (metaCache.size > 10_000) metaCache.clear();
    m = Object.freeze(meta);
    metaCache.set(id, m);
  }
  return m;
}

const rebase = (issues: readonly Issue[], prefix: string): Issue[] =>
  issues.map((i) => ({ ...i, path: prefix + i.path }));

/**
 * The flags an SDK serves: a @vexil/core evaluator plus one entry per flag (what variation
 * calls read: a single Map lookup), the environment's sequence number, and change detection
 * (which flags' results may differ after an update, dependents included).
 */
export class FlagStore {
  /** Read by every variation call. Replaced wholesale by `replace`. */
  entries = new Map<string, FlagEntry>();
  seq: number | undefined = undefined;
  environmentId: string | undefined = undefined;
  /** Some flag data (network, file or cache) has been applied. */
  initialized = false;
  #evaluator: Evaluator;
  #segments = new Map<string, SegmentInfo>();
  /** Raw flags and segments, kept only when a cache file needs them. */
  #raw: { flags: Map<string, unknown>; segments: Map<string, unknown> } | undefined;

  constructor(private readonly opts: { codegen: CodegenMode; keepRaw: boolean }) {
    this.#evaluator = emptyEvaluator(opts.codegen);
    if (opts.keepRaw) this.#raw = { flags: new Map(), segments: new Map() };
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Replaces everything. `ifNewer`: ignore a snapshot whose sequence number is not above the
   * store's (a poll racing the stream). A snapshot core refuses as a whole is still applied flag
   * by flag: every flag valid on its own is served, the rest answer MALFORMED_FLAG.
   */
  replace(s: NormalizedSnapshot, ifNewer = false): ApplyResult {
    if (
      ifNewer &&
      this.initialized &&
      s.seq !== undefined &&
      this.seq !== undefined &&
      s.seq <= this.seq &&
      (s.environmentId === undefined || s.environmentId === this.environmentId)
    )
      return { applied: false, changes: [], issues: [] };

    const compiled = createEvaluator({ flags: s.flags, segments: s.segments }, { codegen: this.opts.codegen });
    let evaluator: Evaluator;
    let issues: Issue[] = [];
    const badFlags = new Set<number>();
    const badSegments = new Set<number>();
    if (compiled.ok) evaluator = compiled.evaluator;
    else {
      issues = compiled.issues;
      evaluator = emptyEvaluator(this.opts.codegen);
      for (const issue of issues) {
        const m = /^\/(flags|segments)\/(\d+)/.exec(issue.path);
        if (m) (m[1] === 'flags' ? badFlags : badSegments).add(Number(m[2]));
      }
      this.#spreadBadness(s, badFlags, badSegments);
      s.segments.forEach((seg, i) => {
        if (!badSegments.has(i)) evaluator.setSegment(seg);
      });
      s.flags.forEach((f, i) => {
        if (!badFlags.has(i) && evaluator.setFlag(f).length > 0) badFlags.add(i);
      });
    }

    const entries = new Map<string, FlagEntry>();
    s.flags.forEach((f, i) => {
      if (!isObject(f) || typeof f.key !== 'string') return;
      entries.set(f.key, entryOf(f, badFlags.has(i) ? undefined : evaluator.flag(f.key)));
    });
    const segments = new Map<string, SegmentInfo>();
    s.segments.forEach((seg, i) => {
      if (badSegments.has(i) || !isObject(seg) || typeof seg.key !== 'string') return;
      const refs = segmentRefs(seg.rules);
      segments.set(seg.key, {
        version: typeof seg.version === 'number' ? seg.version : 0,
        segments: refs.length ? refs : undefined,
      });
    });

    // What changed: flags by version (or malformed state), segments by version, then dependents.
    const direct = new Map<string, FlagChange>();
    for (const [key, e] of entries) {
      const old = this.entries.get(key);
      if (!old) direct.set(key, { key, version: e.version, previousVersion: null, cause: 'added' });
      else if (old.version !== e.version || old.malformed !== e.malformed)
        direct.set(key, { key, version: e.version, previousVersion: old.version, cause: 'updated' });
    }
    for (const [key, old] of this.entries)
      if (!entries.has(key)) direct.set(key, { key, version: null, previousVersion: old.version, cause: 'deleted' });
    const changedSegments = new Set<string>();
    for (const [key, info] of segments) if (this.#segments.get(key)?.version !== info.version) changedSegments.add(key);
    for (const key of this.#segments.keys()) if (!segments.has(key)) changedSegments.add(key);

    this.#evaluator = evaluator;
    this.entries = entries;
    this.#segments = segments;
    if (this.#raw) {
      this.#raw.flags = new Map();
      this.#raw.segments = new Map();
      for (const f of s.flags) if (isObject(f) && typeof f.key === 'string') this.#raw.flags.set(f.key, f);
      for (const seg of s.segments)
        if (isObject(seg) && typeof seg.key === 'string') this.#raw.segments.set(seg.key, seg);
    }
    this.seq = s.seq;
    this.environmentId = s.environmentId;
    this.initialized = true;
    return { applied: true, changes: this.#withDependents(direct, changedSegments), issues };
  }

  /** A flag or segment added or replaced (a stream `patch`). Invalid data keeps the previous version. */
  upsert(kind: 'flag' | 'segment', key: string, data: unknown, seq?: number): ApplyResult {
    if (this.#stale(seq)) return { applied: false, changes: [], issues: [] };
    if (kind === 'flag') {
      const problems = this.#evaluator.setFlag(data);
      if (problems.length > 0) return { applied: false, changes: [], issues: rebase(problems, `/flags/${key}`) };
      this.#advance(seq);
      const old = this.entries.get(key);
      const entry = entryOf(data as Record<string, unknown>, this.#evaluator.flag(key));
      this.entries.set(key, entry);
      this.#raw?.flags.set(key, data);
      const change: FlagChange = old
        ? { key, version: entry.version, previousVersion: old.version, cause: 'updated' }
        : { key, version: entry.version, previousVersion: null, cause: 'added' };
      return { applied: true, changes: this.#withDependents(new Map([[key, change]]), new Set()), issues: [] };
    }
    const problems = this.#evaluator.setSegment(data);
    if (problems.length > 0) return { applied: false, changes: [], issues: rebase(problems, `/segments/${key}`) };
    this.#advance(seq);
    const seg = data as Record<string, unknown>;
    const refs = segmentRefs(seg.rules);
    this.#segments.set(key, {
      version: typeof seg.version === 'number' ? seg.version : 0,
      segments: refs.length ? refs : undefined,
    });
    this.#raw?.segments.set(key, data);
    return { applied: true, changes: this.#withDependents(new Map(), new Set([key])), issues: [] };
  }

  /** A flag or segment removed (a stream `delete`). */
  remove(kind: 'flag' | 'segment', key: string, seq?: number): ApplyResult {
    if (this.#stale(seq)) return { applied: false, changes: [], issues: [] };
    this.#advance(seq);
    if (kind === 'flag') {
      const old = this.entries.get(key);
      this.#evaluator.deleteFlag(key);
      this.entries.delete(key);
      this.#raw?.flags.delete(key);
      const direct = new Map<string, FlagChange>();
      if (old) direct.set(key, { key, version: null, previousVersion: old.version, cause: 'deleted' });
      return { applied: true, changes: this.#withDependents(direct, new Set()), issues: [] };
    }
    const existed = this.#segments.delete(key);
    this.#evaluator.deleteSegment(key);
    this.#raw?.segments.delete(key);
    return { applied: true, changes: existed ? this.#withDependents(new Map(), new Set([key])) : [], issues: [] };
  }

  /** The raw snapshot in the server's format (only when the store keeps raw data). */
  rawSnapshot():
    | {
        environmentId: string | undefined;
        seq: number | undefined;
        flags: Record<string, unknown>;
        segments: Record<string, unknown>;
      }
    | undefined {
    if (!this.#raw || !this.initialized) return undefined;
    return {
      environmentId: this.environmentId,
      seq: this.seq,
      flags: Object.fromEntries(this.#raw.flags),
      segments: Object.fromEntries(this.#raw.segments),
    };
  }

  #stale(seq: number | undefined): boolean {
    return seq !== undefined && this.seq !== undefined && seq <= this.seq;
  }

  #advance(seq: number | undefined): void {
    if (seq !== undefined) this.seq = seq;
    this.initialized = true;
  }

  /** Flags in a snapshot that depend on a refused flag or segment are refused too (their results would be wrong). */
  #spreadBadness(s: NormalizedSnapshot, badFlags: Set<number>, badSegments: Set<number>): void {
    const flagIndex = new Map<string, number>();
    s.flags.forEach((f, i) => {
      if (isObject(f) && typeof f.key === 'string') flagIndex.set(f.key, i);
    });
    const segmentIndex = new Map<string, number>();
    s.segments.forEach((seg, i) => {
      if (isObject(seg) && typeof seg.key === 'string') segmentIndex.set(seg.key, i);
    });
    const badKey = (index: Map<string, number>, bad: Set<number>, key: string) => {
      const i = index.get(key);
      return i !== undefined && bad.has(i);
    };
    for (let grew = true; grew; ) {
      grew = false;
      s.segments.forEach((seg, i) => {
        if (badSegments.has(i) || !isObject(seg)) return;
        if (segmentRefs(seg.rules).some((k) => badKey(segmentIndex, badSegments, k))) {
          badSegments.add(i);
          grew = true;
        }
      });
      s.flags.forEach((f, i) => {
        if (badFlags.has(i) || !isObject(f)) return;
        const d = depsOf(f);
        if (
          d &&
          (d.flags.some((k) => badKey(flagIndex, badFlags, k)) ||
            d.segments.some((k) => badKey(segmentIndex, badSegments, k)))
        ) {
          badFlags.add(i);
          grew = true;
        }
      });
    }
  }

  /** The direct changes plus every flag that uses a changed flag or segment, transitively. */
  #withDependents(direct: Map<string, FlagChange>, segments: Set<string>): FlagChange[] {
    if (direct.size === 0 && segments.size === 0) return [];
    const changedSegments = new Set(segments);
    for (let grew = changedSegments.size > 0; grew; ) {
      grew = false;
      for (const [key, info] of this.#segments) {
        if (changedSegments.has(key) || !info.segments) continue;
        if (info.segments.some((k) => changedSegments.has(k))) {
          changedSegments.add(key);
          grew = true;
        }
      }
    }
    const all = new Map(direct);
    for (let grew = true; grew; ) {
      grew = false;
      for (const e of this.entries.values()) {
        if (!e.deps || all.has(e.key)) continue;
        if (e.deps.flags.some((k) => all.has(k)) || e.deps.segments.some((k) => changedSegments.has(k))) {
          all.set(e.key, { key: e.key, version: e.version, previousVersion: e.version, cause: 'dependency' });
          grew = true;
        }
      }
    }
    return [...all.values()];
  }
}

function emptyEvaluator(codegen: CodegenMode): Evaluator {
  const r = createEvaluator({ flags: [] }, { codegen });
  if (!r.ok) throw new Error('unreachable: an empty snapshot is valid');
  return r.evaluator;
}
