import { createEvaluator, type Evaluator, type Flag, type Segment } from '@vexil/core';
import type { ChangeMessage, EnvironmentSnapshot } from './messages.js';
import { type SseFrame, sseEvent } from './sse.js';

/** How many recent changes a feed keeps for clients that resume with Last-Event-ID. */
const HISTORY = 2048;

export interface FeedListener {
  /** A change was applied in sequence: `frame` is the SSE event for server SDKs. */
  change(message: ChangeMessage, frame: SseFrame): void;
  /** The state was replaced wholesale (after a gap): subscribers should be sent a fresh put. */
  reset(): void;
}

/**
 * One environment's live state on a stream node: the snapshot, the compiled evaluator for
 * client-side evaluation, and a window of recent changes as ready-to-send SSE frames. Changes
 * apply strictly in sequence; a repeat is dropped and a gap is reported to the caller, who
 * reloads the snapshot.
 */
export class EnvironmentFeed {
  seq: number;
  readonly flags = new Map<string, Flag>();
  readonly segments = new Map<string, Segment>();
  evaluator: Evaluator;
  readonly listeners = new Set<FeedListener>();
  #history: { seq: number; frame: SseFrame }[] = [];
  #putCache: { seq: number; json: string } | undefined;
  #putFrame: { seq: number; frame: SseFrame } | undefined;

  constructor(
    readonly environmentId: string,
    snapshot: EnvironmentSnapshot,
  ) {
    this.seq = snapshot.seq;
    this.evaluator = this.#load(snapshot);
  }

  /** Returns 'applied', 'stale' (already seen) or 'gap' (something was missed before it). */
  apply(m: ChangeMessage): 'applied' | 'stale' | 'gap' {
    if (m.seq <= this.seq) return 'stale';
    if (m.seq !== this.seq + 1) return 'gap';
    this.seq = m.seq;
    if (m.entity === 'flag') {
      if (m.op === 'put' && m.payload) {
        this.flags.set(m.key, m.payload as Flag);
        this.evaluator.setFlag(m.payload);
      } else {
        this.flags.delete(m.key);
        this.evaluator.deleteFlag(m.key);
      }
    } else if (m.op === 'put' && m.payload) {
      this.segments.set(m.key, m.payload as Segment);
      this.evaluator.setSegment(m.payload);
    } else {
      this.segments.delete(m.key);
      this.evaluator.deleteSegment(m.key);
    }
    const data =
      m.op === 'put'
        ? JSON.stringify({ kind: m.entity, key: m.key, version: m.payload?.version ?? 0, data: m.payload })
        : JSON.stringify({ kind: m.entity, key: m.key });
    const frame = sseEvent(m.op === 'put' ? 'patch' : 'delete', data, m.seq);
    this.#history.push({ seq: m.seq, frame });
    if (this.#history.length > HISTORY) this.#history.splice(0, this.#history.length - HISTORY);
    for (const l of this.listeners) l.change(m, frame);
    return 'applied';
  }

  /** Replaces the state after a gap; every subscriber gets a fresh put. */
  reset(snapshot: EnvironmentSnapshot): void {
    if (snapshot.seq < this.seq) return;
    this.seq = snapshot.seq;
    this.evaluator = this.#load(snapshot);
    this.#history = [];
    for (const l of this.listeners) l.reset();
  }

  /** The frames after `lastSeq`, or undefined when they are no longer all kept. */
  since(lastSeq: number): SseFrame[] | undefined {
    if (lastSeq === this.seq) return [];
    if (lastSeq > this.seq) return undefined;
    const first = this.#history[0];
    if (!first || first.seq > lastSeq + 1) return undefined;
    return this.#history.filter((h) => h.seq > lastSeq).map((h) => h.frame);
  }

  snapshot(): EnvironmentSnapshot {
    return {
      environmentId: this.environmentId,
      seq: this.seq,
      flags: Object.fromEntries(this.flags),
      segments: Object.fromEntries(this.segments),
    };
  }

  /** The snapshot as JSON, serialised once per sequence number however many clients ask. */
  snapshotJson(): string {
    if (this.#putCache?.seq !== this.seq) this.#putCache = { seq: this.seq, json: JSON.stringify(this.snapshot()) };
    return this.#putCache.json;
  }

  /** The `put` event of the current snapshot, encoded once per sequence number for every stream. */
  putFrame(): SseFrame {
    if (this.#putFrame?.seq !== this.seq)
      this.#putFrame = { seq: this.seq, frame: sseEvent('put', this.snapshotJson(), this.seq) };
    return this.#putFrame.frame;
  }

  #load(s: EnvironmentSnapshot): Evaluator {
    this.flags.clear();
    this.segments.clear();
    for (const [k, f] of Object.entries(s.flags)) this.flags.set(k, f);
    for (const [k, seg] of Object.entries(s.segments)) this.segments.set(k, seg);
    const compiled = createEvaluator({ flags: [...this.flags.values()], segments: [...this.segments.values()] });
    if (compiled.ok) return compiled.evaluator;
    // The store only holds validated configurations; should one still fail as a whole,
    // serve every flag that compiles rather than none.
    const empty = createEvaluator({ flags: [] });
    if (!empty.ok) throw new Error('unreachable');
    for (const seg of this.segments.values()) empty.evaluator.setSegment(seg);
    for (const f of this.flags.values()) empty.evaluator.setFlag(f);
    return empty.evaluator;
  }
}
