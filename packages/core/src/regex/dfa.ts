import { isWordChar } from './charclass.js';
import {
  ASSERT_BEGIN_LINE,
  ASSERT_BEGIN_TEXT,
  ASSERT_END_LINE,
  ASSERT_END_TEXT,
  ASSERT_WORD_BOUNDARY,
  type CharSet,
  OP_ASSERT,
  OP_CHARS,
  OP_MATCH,
  OP_SPLIT,
  type Program,
} from './nfa.js';

/*
 * A lazy DFA over the Thompson NFA (as in RE2): DFA states are sets of NFA
 * states created on first need, and each transition is computed once and
 * then followed with a single array or Map lookup. Every step is bounded by
 * the program size, so matching is linear in the input whatever the pattern.
 *
 * Empty-width assertions depend on the characters on both sides of a
 * position. A state therefore stores its "kernel" (the NFA states reached by
 * the last character, before any epsilon moves) together with the kind of
 * that last character; the epsilon closure is taken during the transition,
 * when the next character (or the end of the text) is known.
 */

/** What the previous character was, as far as assertions care. */
const PREV_BEGIN = 0;
const PREV_NEWLINE = 1;
const PREV_WORD = 2;
const PREV_OTHER = 3;

/** What the next character is. */
const NEXT_END = 0;
const NEXT_NEWLINE = 1;
const NEXT_WORD = 2;
const NEXT_OTHER = 3;

/** Transition-table entries that are not state numbers. */
const UNKNOWN = -1;
const MATCHED = -2;
const DEAD = -3;

/** Above this many cached states the cache is dropped and rebuilt as the input demands. */
export const MAX_DFA_STATES = 2_000;

/** Transitions on non-ASCII characters are kept per character, so they get a budget of their own. */
export const MAX_OTHER_TRANSITIONS = 20_000;

const ASCII_BITS = 7;
const ASCII_SIZE = 1 << ASCII_BITS;

export class LazyDfa {
  private readonly prog: Program;

  // States are numbers; their data lives in parallel arrays so the hot loop
  // touches nothing but one Int32Array.
  private readonly ids = new Map<string, number>();
  private readonly kernels: Int32Array[] = [];
  private readonly prevs: number[] = [];
  /** Whether the text may end in a state: -1 until computed, then 0 or 1. */
  private readonly ends: number[] = [];
  private readonly others: (Map<number, number> | null)[] = [];
  private otherCount = 0;
  /** ASCII transitions of state s at [s * 128 + c]. */
  private table = new Int32Array(8 * ASCII_SIZE).fill(UNKNOWN);
  private start = 0;
  /**
   * States 0 to idleCount - 1 are those of an unanchored search with nothing
   * in progress, one per kind of previous character. From them, characters
   * that cannot begin a match are skipped without the DFA: that breaks the
   * serial chain of table lookups which bounds the speed of the main loop.
   * Zero when skipping is not possible (anchored, or a match may be empty).
   */
  private idleCount = 0;
  /** The idle state to be in after skipping a given ASCII character. */
  private readonly idleAfter = new Int32Array(ASCII_SIZE);
  private readonly firstChars: Uint8Array;
  /** Set when the cache was dropped during a step, which then must not record its transition. */
  private flushed = false;

  // Scratch space shared by all steps, so a step allocates only when it creates a state.
  private readonly mark: Uint32Array;
  private generation = 0;
  private readonly stack: Int32Array;
  private readonly consuming: Int32Array;
  private consumingCount = 0;
  private readonly kernel: Int32Array;

  constructor(prog: Program) {
    this.prog = prog;
    const size = prog.op.length;
    this.mark = new Uint32Array(size);
    this.stack = new Int32Array(size);
    this.consuming = new Int32Array(size);
    this.kernel = new Int32Array(size);
    this.firstChars = prog.firstChars ?? new Uint8Array(0);
    this.seed();
  }

  /** Creates the states every search needs, the idle ones first so that they get the lowest numbers. */
  private seed(): void {
    const prog = this.prog;
    const empty = new Int32Array(0);
    if (prog.firstChars !== null && !prog.anchored) {
      const other = this.intern(empty, PREV_OTHER);
      const word = prog.usesWordBoundary ? this.intern(empty, PREV_WORD) : other;
      const newline = prog.usesBeginLine ? this.intern(empty, PREV_NEWLINE) : other;
      this.idleCount = this.kernels.length;
      for (let c = 0; c < ASCII_SIZE; c++) {
        const kind = this.prevKind(c);
        this.idleAfter[c] = kind === PREV_WORD ? word : kind === PREV_NEWLINE ? newline : other;
      }
    }
    // Without begin assertions the start of the text is just "not a word, not a newline".
    const prev = prog.usesBeginText || prog.usesBeginLine ? PREV_BEGIN : PREV_OTHER;
    // Unanchored programs re-inject the start on every step, so it need not be in the kernel.
    this.start = this.intern(prog.anchored ? Int32Array.of(prog.start) : empty, prev);
  }

  test(input: string): boolean {
    let s = this.start;
    let table = this.table;
    const idleCount = this.idleCount;
    const idleAfter = this.idleAfter;
    const first = this.firstChars;
    const n = input.length;
    let i = 0;
    while (i < n) {
      if (s < idleCount) {
        let d = input.charCodeAt(i);
        if (d < ASCII_SIZE && first[d] === 0) {
          do {
            // A match cannot be empty, so none can start at the end either.
            if (++i === n) return false;
            d = input.charCodeAt(i);
          } while (d < ASCII_SIZE && first[d] === 0);
          s = idleAfter[input.charCodeAt(i - 1)] as number;
        }
      }
      let c = input.charCodeAt(i++);
      let next: number;
      if (c < ASCII_SIZE) {
        next = table[(s << ASCII_BITS) | c] as number;
      } else {
        if (c >= 0xd800 && c <= 0xdbff && i < n) {
          const low = input.charCodeAt(i);
          if (low >= 0xdc00 && low <= 0xdfff) {
            c = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
            i++;
          }
        }
        const other = this.others[s];
        const known = other === null || other === undefined ? undefined : other.get(c);
        next = known === undefined ? UNKNOWN : known;
      }
      if (next < 0) {
        if (next === UNKNOWN) {
          next = this.step(s, c);
          table = this.table;
        }
        if (next === MATCHED) return true;
        if (next === DEAD) return false;
      }
      s = next;
    }
    let end = this.ends[s] as number;
    if (end < 0) {
      end = this.closure(this.kernels[s] as Int32Array, this.prevs[s] as number, NEXT_END) ? 1 : 0;
      this.ends[s] = end;
    }
    return end === 1;
  }

  private step(s: number, c: number): number {
    const prog = this.prog;
    const from = this.kernels[s] as Int32Array;
    const prev = this.prevs[s] as number;
    if (c >= ASCII_SIZE && this.otherCount >= MAX_OTHER_TRANSITIONS) this.flush();
    let next: number;
    if (this.closure(from, prev, nextKind(c))) {
      next = MATCHED;
    } else {
      const gen = this.nextGeneration();
      const mark = this.mark;
      const kernel = this.kernel;
      let count = 0;
      for (let k = 0; k < this.consumingCount; k++) {
        const pc = this.consuming[k] as number;
        if ((prog.classes[prog.arg[pc] as number] as CharSet).has(c)) {
          const target = prog.out[pc] as number;
          if (mark[target] !== gen) {
            mark[target] = gen;
            kernel[count++] = target;
          }
        }
      }
      if (count === 0 && prog.anchored) {
        next = DEAD;
      } else {
        const sorted = kernel.slice(0, count).sort();
        next = this.intern(sorted, this.prevKind(c));
      }
    }
    if (this.flushed) {
      // s was numbered in the dropped cache; its number may now mean another state.
      this.flushed = false;
    } else if (c < ASCII_SIZE) {
      this.table[(s << ASCII_BITS) | c] = next;
    } else {
      let other = this.others[s];
      if (other === null || other === undefined) {
        other = new Map();
        this.others[s] = other;
      }
      other.set(c, next);
      this.otherCount++;
    }
    return next;
  }

  private prevKind(c: number): number {
    if (c === 0x0a && this.prog.usesBeginLine) return PREV_NEWLINE;
    if (this.prog.usesWordBoundary && isWordChar(c)) return PREV_WORD;
    return PREV_OTHER;
  }

  private intern(kernel: Int32Array, prev: number): number {
    const key = `${prev}:${kernel.join(',')}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.ids.size >= MAX_DFA_STATES) this.flush();
      id = this.kernels.length;
      this.ids.set(key, id);
      this.kernels.push(kernel);
      this.prevs.push(prev);
      this.ends.push(-1);
      this.others.push(null);
      const needed = (id + 1) << ASCII_BITS;
      if (needed > this.table.length) {
        const grown = new Int32Array(Math.min(this.table.length * 2, MAX_DFA_STATES << ASCII_BITS)).fill(UNKNOWN);
        grown.set(this.table);
        this.table = grown;
      }
    }
    return id;
  }

  /** Drops every state: memory stays bounded and the search goes on, still linear. */
  private flush(): void {
    this.flushed = true;
    this.ids.clear();
    this.table.fill(UNKNOWN, 0, this.kernels.length << ASCII_BITS);
    this.kernels.length = 0;
    this.prevs.length = 0;
    this.ends.length = 0;
    this.others.length = 0;
    this.otherCount = 0;
    this.seed();
  }

  private nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /**
   * Follows epsilon moves from the state's kernel (plus the start, when
   * unanchored) with both neighbours of the position known; collects the
   * character-consuming instructions reached and reports whether MATCH was.
   */
  private closure(kernel: Int32Array, prev: number, next: number): boolean {
    const prog = this.prog;
    const { op, out, arg } = prog;
    const mark = this.mark;
    const stack = this.stack;
    const gen = this.nextGeneration();
    let top = 0;
    for (let k = 0; k < kernel.length; k++) {
      const pc = kernel[k] as number;
      if (mark[pc] !== gen) {
        mark[pc] = gen;
        stack[top++] = pc;
      }
    }
    if (!prog.anchored && mark[prog.start] !== gen) {
      mark[prog.start] = gen;
      stack[top++] = prog.start;
    }
    let count = 0;
    while (top > 0) {
      const pc = stack[--top] as number;
      let target = -1;
      let other = -1;
      switch (op[pc]) {
        case OP_CHARS:
          this.consuming[count++] = pc;
          break;
        case OP_MATCH:
          this.consumingCount = count;
          return true;
        case OP_SPLIT:
          target = out[pc] as number;
          other = arg[pc] as number;
          break;
        case OP_ASSERT:
          if (assertionHolds(arg[pc] as number, prev, next)) target = out[pc] as number;
          break;
      }
      if (other >= 0 && mark[other] !== gen) {
        mark[other] = gen;
        stack[top++] = other;
      }
      if (target >= 0 && mark[target] !== gen) {
        mark[target] = gen;
        stack[top++] = target;
      }
    }
    this.consumingCount = count;
    return false;
  }
}

function nextKind(c: number): number {
  if (c === 0x0a) return NEXT_NEWLINE;
  return isWordChar(c) ? NEXT_WORD : NEXT_OTHER;
}

function assertionHolds(code: number, prev: number, next: number): boolean {
  switch (code) {
    case ASSERT_BEGIN_TEXT:
      return prev === PREV_BEGIN;
    case ASSERT_END_TEXT:
      return next === NEXT_END;
    case ASSERT_BEGIN_LINE:
      return prev === PREV_BEGIN || prev === PREV_NEWLINE;
    case ASSERT_END_LINE:
      return next === NEXT_END || next === NEXT_NEWLINE;
    case ASSERT_WORD_BOUNDARY:
      return (prev === PREV_WORD) !== (next === NEXT_WORD);
    default:
      return (prev === PREV_WORD) === (next === NEXT_WORD);
  }
}
