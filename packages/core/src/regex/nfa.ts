import type { Assertion, Node } from './ast.js';
import { type Ranges, rangesContain } from './charclass.js';
import { RegexSyntaxError } from './parse.js';

/*
 * A Thompson NFA laid out as a flat program in typed arrays, so that the
 * lazy DFA can walk it without touching objects.
 */

export const OP_CHARS = 0;
export const OP_SPLIT = 1;
export const OP_ASSERT = 2;
export const OP_MATCH = 3;

export const ASSERT_BEGIN_TEXT = 0;
export const ASSERT_END_TEXT = 1;
export const ASSERT_BEGIN_LINE = 2;
export const ASSERT_END_LINE = 3;
export const ASSERT_WORD_BOUNDARY = 4;
export const ASSERT_NOT_WORD_BOUNDARY = 5;

const ASSERTION_CODES: Readonly<Record<Assertion, number>> = {
  beginText: ASSERT_BEGIN_TEXT,
  endText: ASSERT_END_TEXT,
  beginLine: ASSERT_BEGIN_LINE,
  endLine: ASSERT_END_LINE,
  wordBoundary: ASSERT_WORD_BOUNDARY,
  notWordBoundary: ASSERT_NOT_WORD_BOUNDARY,
};

/**
 * Caps the work a single DFA step can do (and the memory of the program);
 * RE2 has a similar budget through its max_mem option.
 */
export const MAX_INSTRUCTIONS = 20_000;

export class CharSet {
  /** Bitmap of the ASCII members, since most flag values are ASCII. */
  private readonly ascii = new Uint32Array(4);

  constructor(readonly ranges: Ranges) {
    for (let i = 0; i < ranges.length; i += 2) {
      const hi = Math.min(ranges[i + 1] as number, 127);
      for (let c = ranges[i] as number; c <= hi; c++) {
        this.ascii[c >> 5] = (this.ascii[c >> 5] as number) | (1 << (c & 31));
      }
    }
  }

  has(c: number): boolean {
    if (c < 128) return (((this.ascii[c >> 5] as number) >>> (c & 31)) & 1) === 1;
    return rangesContain(this.ranges, c);
  }
}

export interface Program {
  readonly op: Uint8Array;
  readonly out: Int32Array;
  /** Second branch of a split; the assertion code of an assert; the class index of chars. */
  readonly arg: Int32Array;
  readonly classes: readonly CharSet[];
  readonly start: number;
  /** Every match must begin at the start of the text, so the search need not restart later. */
  readonly anchored: boolean;
  readonly usesWordBoundary: boolean;
  readonly usesBeginLine: boolean;
  readonly usesBeginText: boolean;
  /**
   * ASCII characters that can begin a match (1 = yes), or null when a match
   * may be empty. Other characters are treated as possible starts.
   */
  readonly firstChars: Uint8Array | null;
}

class Builder {
  readonly op: number[] = [];
  readonly out: number[] = [];
  readonly arg: number[] = [];
  readonly classes: CharSet[] = [];
  private readonly classIndex = new Map<string, number>();
  usesWordBoundary = false;
  usesBeginLine = false;
  usesBeginText = false;

  emit(op: number, out: number, arg: number): number {
    if (this.op.length >= MAX_INSTRUCTIONS) {
      throw new RegexSyntaxError(`expression too large: more than ${MAX_INSTRUCTIONS} NFA states`);
    }
    this.op.push(op);
    this.out.push(out);
    this.arg.push(arg);
    return this.op.length - 1;
  }

  classFor(ranges: Ranges): number {
    const key = ranges.join(',');
    let index = this.classIndex.get(key);
    if (index === undefined) {
      index = this.classes.length;
      this.classes.push(new CharSet(ranges));
      this.classIndex.set(key, index);
    }
    return index;
  }

  /**
   * Compiles back to front: each node is given the entry of what follows it
   * and returns its own entry, so no patch lists are needed.
   */
  compile(node: Node, next: number): number {
    switch (node.kind) {
      case 'empty':
        return next;
      case 'chars':
        return this.emit(OP_CHARS, next, this.classFor(node.ranges));
      case 'assert': {
        const code = ASSERTION_CODES[node.assertion];
        if (code === ASSERT_WORD_BOUNDARY || code === ASSERT_NOT_WORD_BOUNDARY) this.usesWordBoundary = true;
        if (code === ASSERT_BEGIN_LINE) this.usesBeginLine = true;
        if (code === ASSERT_BEGIN_TEXT) this.usesBeginText = true;
        return this.emit(OP_ASSERT, next, code);
      }
      case 'concat': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) entry = this.compile(node.items[i] as Node, entry);
        return entry;
      }
      case 'alternate': {
        let entry = this.compile(node.items[node.items.length - 1] as Node, next);
        for (let i = node.items.length - 2; i >= 0; i--) {
          entry = this.emit(OP_SPLIT, this.compile(node.items[i] as Node, next), entry);
        }
        return entry;
      }
      case 'repeat':
        return this.compileRepeat(node.sub, node.min, node.max, next);
    }
  }

  private compileRepeat(sub: Node, min: number, max: number, next: number): number {
    let entry = next;
    if (max < 0) {
      // x{n,} is n-1 copies of x followed by x+ (or just x* when n is 0).
      const loop = this.emit(OP_SPLIT, -1, next);
      const body = this.compile(sub, loop);
      this.out[loop] = body;
      entry = min === 0 ? loop : body;
      for (let i = 1; i < min; i++) entry = this.compile(sub, entry);
      return entry;
    }
    // Optional copies each skip straight to `next`: x{0,3} is (x(x(x)?)?)?.
    for (let i = min; i < max; i++) entry = this.emit(OP_SPLIT, this.compile(sub, entry), next);
    for (let i = 0; i < min; i++) entry = this.compile(sub, entry);
    return entry;
  }
}

/** Conservative: false is always safe, true lets a failed search stop early. */
function anchoredAtStart(node: Node): boolean {
  switch (node.kind) {
    case 'assert':
      return node.assertion === 'beginText';
    case 'concat':
      return node.items.length > 0 && anchoredAtStart(node.items[0] as Node);
    case 'alternate':
      return node.items.every(anchoredAtStart);
    case 'repeat':
      return node.min > 0 && anchoredAtStart(node.sub);
    default:
      return false;
  }
}

/** Over-approximates by treating every assertion as passable, which keeps skipping safe. */
function firstChars(
  op: readonly number[],
  out: readonly number[],
  arg: readonly number[],
  classes: readonly CharSet[],
  start: number,
): Uint8Array | null {
  const first = new Uint8Array(128);
  const seen = new Uint8Array(op.length);
  const stack = [start];
  seen[start] = 1;
  while (stack.length > 0) {
    const pc = stack.pop() as number;
    const code = op[pc];
    if (code === OP_MATCH) return null;
    if (code === OP_CHARS) {
      const set = classes[arg[pc] as number] as CharSet;
      for (let c = 0; c < 128; c++) if (set.has(c)) first[c] = 1;
      continue;
    }
    const targets = code === OP_SPLIT ? [out[pc] as number, arg[pc] as number] : [out[pc] as number];
    for (const t of targets) {
      if (seen[t] === 0) {
        seen[t] = 1;
        stack.push(t);
      }
    }
  }
  return first;
}

export function compileProgram(node: Node): Program {
  const b = new Builder();
  const match = b.emit(OP_MATCH, -1, 0);
  const start = b.compile(node, match);
  return {
    op: Uint8Array.from(b.op),
    out: Int32Array.from(b.out),
    arg: Int32Array.from(b.arg),
    classes: b.classes,
    start,
    anchored: anchoredAtStart(node),
    usesWordBoundary: b.usesWordBoundary,
    usesBeginLine: b.usesBeginLine,
    usesBeginText: b.usesBeginText,
    firstChars: firstChars(b.op, b.out, b.arg, b.classes, start),
  };
}
