import type { Node } from './ast.js';
import type { Ranges } from './charclass.js';

/*
 * Some patterns can be handed to the host's own RegExp without any risk of
 * catastrophic backtracking: those with no repetition at all, whose every
 * alternation can be decided by the next character (the branches' first
 * characters are disjoint and no branch can match empty). A backtracking
 * engine then follows at most one path from each start position, so matching
 * stays linear in the input times the pattern. Such patterns are common in
 * targeting (`^(root|ops)@`, `@(corp|staff)\.example$`), and the host engine
 * runs them two to three times faster than the lazy DFA.
 *
 * Everything the AST says is explicit (case folding is already in the
 * character sets, anchors are text anchors), so the translation needs only
 * the `u` flag.
 */

export function nativeSource(node: Node): string | undefined {
  return safe(node) ? emit(node) : undefined;
}

function safe(n: Node): boolean {
  switch (n.kind) {
    case 'empty':
    case 'chars':
      return true;
    case 'assert':
      // Line anchors would need look-behind; word boundaries and text anchors map directly.
      return n.assertion !== 'beginLine' && n.assertion !== 'endLine';
    case 'repeat':
      return false;
    case 'concat':
      return n.items.every(safe);
    case 'alternate': {
      if (!n.items.every(safe)) return false;
      const firsts: Ranges[] = [];
      for (const item of n.items) {
        const f = firstChars(item);
        if (f === undefined) return false;
        if (firsts.some((other) => overlaps(other, f))) return false;
        firsts.push(f);
      }
      return true;
    }
  }
}

/** The characters a node's match can start with; undefined when it can match empty or starts with an assertion. */
function firstChars(n: Node): Ranges | undefined {
  switch (n.kind) {
    case 'chars':
      return n.ranges;
    case 'concat': {
      const head = n.items[0];
      return head === undefined ? undefined : firstChars(head);
    }
    case 'alternate': {
      const all: number[] = [];
      for (const item of n.items) {
        const f = firstChars(item);
        if (f === undefined) return undefined;
        all.push(...f);
      }
      return all;
    }
    default:
      return undefined;
  }
}

function overlaps(a: Ranges, b: Ranges): boolean {
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) {
      if ((a[i] as number) <= (b[j + 1] as number) && (b[j] as number) <= (a[i + 1] as number)) return true;
    }
  }
  return false;
}

const hex = (cp: number) => `\\u{${cp.toString(16)}}`;

function emit(n: Node): string {
  switch (n.kind) {
    case 'empty':
      return '(?:)';
    case 'chars': {
      let out = '';
      for (let i = 0; i < n.ranges.length; i += 2) {
        const lo = n.ranges[i] as number;
        const hi = n.ranges[i + 1] as number;
        out += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
      }
      return `[${out}]`;
    }
    case 'assert':
      switch (n.assertion) {
        case 'beginText':
          return '^';
        case 'endText':
          return '$';
        case 'wordBoundary':
          return '\\b';
        default:
          return '\\B';
      }
    case 'concat':
      return n.items.map(emit).join('');
    case 'alternate':
      return `(?:${n.items.map(emit).join('|')})`;
    case 'repeat':
      throw new Error('unreachable: repetition is never translated');
  }
}
