import { normalizeRanges, type Ranges } from './charclass.js';
import { casedCodePoints } from './unicode.js';

/*
 * Case-insensitive matching uses RE2's model: every character stands for its
 * whole "orbit" of simple case variants (k, K and the Kelvin sign K; s, S and
 * the long s ſ). Orbits are derived from the runtime's single-code-point
 * toLowerCase/toUpperCase, joining everything those mappings connect, and
 * built once on first use.
 */

interface FoldTable {
  readonly orbit: ReadonlyMap<number, readonly number[]>;
  /** Every code point that belongs to an orbit, ascending. */
  readonly members: Int32Array;
}

let table: FoldTable | null = null;

function singleCodePoint(s: string): number {
  const c = s.codePointAt(0);
  if (c === undefined) return -1;
  return s.length === (c > 0xffff ? 2 : 1) ? c : -1;
}

function buildTable(): FoldTable {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
    parent.set(x, root);
    return root;
  };
  const union = (a: number, b: number): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const cased = casedCodePoints();
  for (let i = 0; i < cased.length; i += 2) {
    for (let cp = cased[i] as number; cp <= (cased[i + 1] as number); cp++) {
      const s = String.fromCodePoint(cp);
      // Multi-character mappings (ß → SS, İ → i̇) are not simple folds.
      const lower = singleCodePoint(s.toLowerCase());
      const upper = singleCodePoint(s.toUpperCase());
      if (lower >= 0 && lower !== cp) union(cp, lower);
      if (upper >= 0 && upper !== cp) union(cp, upper);
    }
  }
  const groups = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const root = find(cp);
    let group = groups.get(root);
    if (group === undefined) {
      group = [];
      groups.set(root, group);
    }
    group.push(cp);
  }
  const orbit = new Map<number, readonly number[]>();
  for (const group of groups.values()) {
    group.sort((a, b) => a - b);
    for (const cp of group) orbit.set(cp, group);
  }
  const members = Int32Array.from(orbit.keys()).sort();
  return { orbit, members };
}

function foldTable(): FoldTable {
  if (table === null) table = buildTable();
  return table;
}

/** A character together with its case variants, as ranges. */
export function foldedCodePoint(c: number): number[] {
  const orbit = foldTable().orbit.get(c);
  if (orbit === undefined) return [c, c];
  const pairs: number[] = [];
  for (const m of orbit) pairs.push(m, m);
  return normalizeRanges(pairs);
}

/** Adds the case variants of every member, in time bounded by the cased characters. */
export function foldRanges(ranges: Ranges): number[] {
  const { orbit, members } = foldTable();
  const pairs = ranges.slice();
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i] as number;
    const hi = ranges[i + 1] as number;
    let a = 0;
    let b = members.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((members[mid] as number) < lo) a = mid + 1;
      else b = mid;
    }
    for (let k = a; k < members.length && (members[k] as number) <= hi; k++) {
      const group = orbit.get(members[k] as number);
      if (group === undefined) continue;
      for (const m of group) if (m < lo || m > hi) pairs.push(m, m);
    }
  }
  return normalizeRanges(pairs);
}
