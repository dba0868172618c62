import type { Ranges } from './charclass.js';

/*
 * Only what decides whether a string matches survives parsing: groups
 * dissolve into their contents, literals become one-character classes
 * (already case-folded), and laziness is dropped because it cannot change a
 * yes/no answer.
 */

export type Assertion = 'beginText' | 'endText' | 'beginLine' | 'endLine' | 'wordBoundary' | 'notWordBoundary';

export type Node =
  | { readonly kind: 'empty' }
  | { readonly kind: 'chars'; readonly ranges: Ranges }
  | { readonly kind: 'assert'; readonly assertion: Assertion }
  | { readonly kind: 'concat'; readonly items: readonly Node[] }
  | { readonly kind: 'alternate'; readonly items: readonly Node[] }
  /** max is -1 when unbounded. */
  | { readonly kind: 'repeat'; readonly sub: Node; readonly min: number; readonly max: number };

export const EMPTY: Node = { kind: 'empty' };

export function concat(items: Node[]): Node {
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0] as Node;
  return { kind: 'concat', items };
}

export function alternate(items: Node[]): Node {
  if (items.length === 1) return items[0] as Node;
  return { kind: 'alternate', items };
}
