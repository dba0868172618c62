/**
 * Sets of code points stored as a flat, sorted list of inclusive ranges:
 * [lo0, hi0, lo1, hi1, ...]. Ranges never overlap or touch once normalized,
 * which keeps membership a binary search and makes equal sets equal arrays.
 */
export type Ranges = readonly number[];

export const MAX_CODE_POINT = 0x10ffff;

export function normalizeRanges(pairs: readonly number[]): number[] {
  const count = pairs.length >> 1;
  if (count === 0) return [];
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) sorted = (pairs[i * 2 - 2] as number) <= (pairs[i * 2] as number);
  let order: number[] | null = null;
  if (!sorted) {
    order = [];
    for (let i = 0; i < count; i++) order.push(i);
    order.sort((a, b) => (pairs[a * 2] as number) - (pairs[b * 2] as number));
  }
  const out: number[] = [];
  let lo = -2;
  let hi = -2;
  for (let k = 0; k < count; k++) {
    const i = order === null ? k : (order[k] as number);
    const nlo = pairs[i * 2] as number;
    const nhi = pairs[i * 2 + 1] as number;
    // Touching ranges merge too, so that the representation is canonical.
    if (nlo <= hi + 1) {
      if (nhi > hi) hi = nhi;
    } else {
      if (hi >= 0) out.push(lo, hi);
      lo = nlo;
      hi = nhi;
    }
  }
  out.push(lo, hi);
  return out;
}

export function negateRanges(ranges: Ranges): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i] as number;
    const hi = ranges[i + 1] as number;
    if (lo > next) out.push(next, lo - 1);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export function rangesContain(ranges: Ranges, c: number): boolean {
  let lo = 0;
  let hi = (ranges.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < (ranges[mid * 2] as number)) hi = mid - 1;
    else if (c > (ranges[mid * 2 + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

// RE2's Perl classes are ASCII-only, unlike JavaScript's \s.
export const DIGIT: Ranges = [0x30, 0x39];
export const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
export const PERL_SPACE: Ranges = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];

/** `\d \s \w` by their letter; the upper-case letter is the negation. */
export const PERL_CLASSES: ReadonlyMap<string, Ranges> = new Map([
  ['d', DIGIT],
  ['s', PERL_SPACE],
  ['w', WORD],
]);

export const POSIX_CLASSES: ReadonlyMap<string, Ranges> = new Map<string, Ranges>([
  ['alnum', [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a]],
  ['alpha', [0x41, 0x5a, 0x61, 0x7a]],
  ['ascii', [0x00, 0x7f]],
  ['blank', [0x09, 0x09, 0x20, 0x20]],
  ['cntrl', [0x00, 0x1f, 0x7f, 0x7f]],
  ['digit', DIGIT],
  ['graph', [0x21, 0x7e]],
  ['lower', [0x61, 0x7a]],
  ['print', [0x20, 0x7e]],
  ['punct', [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e]],
  ['space', [0x09, 0x0d, 0x20, 0x20]],
  ['upper', [0x41, 0x5a]],
  ['word', WORD],
  ['xdigit', [0x30, 0x39, 0x41, 0x46, 0x61, 0x66]],
]);

export const ANY: Ranges = [0, MAX_CODE_POINT];
export const ANY_BUT_NEWLINE: Ranges = [0, 0x09, 0x0b, MAX_CODE_POINT];

export function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}
