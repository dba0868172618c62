import { MAX_CODE_POINT, normalizeRanges, type Ranges } from './charclass.js';

/*
 * Unicode tables are borrowed from the host's own RegExp engine instead of
 * being shipped: every ES2018+ runtime knows \p{...}, and one native
 * /\p{X}+/gu scan over a string of every code point is linear and safe.
 * Results are cached per property because a scan takes milliseconds.
 */

const PLANE_SIZE = 0x10000;
const SURROGATE_LO = 0xd800;
const SURROGATE_COUNT = 0x800;

/**
 * Planes 4 to 13 hold no assigned code point (Unicode 16), and scanning each
 * costs as much as a full one, so they are left out.
 */
const ALL_PLANES = [0, 1, 2, 3, 14, 15, 16];
/** Every cased letter lies in the first two planes. */
const CASED_PLANES = [0, 1];

/** Every code point of a plane in order, as UTF-16; lone surrogates are left out. */
function planeString(plane: number): string {
  let units: Uint16Array;
  if (plane === 0) {
    units = new Uint16Array(PLANE_SIZE - SURROGATE_COUNT);
    for (let i = 0; i < units.length; i++) units[i] = i < SURROGATE_LO ? i : i + SURROGATE_COUNT;
  } else {
    units = new Uint16Array(PLANE_SIZE * 2);
    const highBase = SURROGATE_LO + (plane - 1) * 64;
    for (let i = 0; i < PLANE_SIZE; i++) {
      units[2 * i] = highBase + (i >> 10);
      units[2 * i + 1] = 0xdc00 + (i & 0x3ff);
    }
  }
  let text = '';
  for (let i = 0; i < units.length; i += 8192) {
    // apply() accepts a typed array at run time and is much faster than spreading one.
    text += String.fromCharCode.apply(null, units.subarray(i, i + 8192) as unknown as number[]);
  }
  return text;
}

function indexToCodePoint(plane: number, index: number): number {
  if (plane === 0) return index < SURROGATE_LO ? index : index + SURROGATE_COUNT;
  return plane * PLANE_SIZE + (index >> 1);
}

function scan(propertySource: string, planes: readonly number[]): number[] {
  const re = new RegExp(`${propertySource}+`, 'gu');
  const pairs: number[] = [];
  for (const plane of planes) {
    const text = planeString(plane);
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const first = m.index;
      const last = m.index + m[0].length - (plane === 0 ? 1 : 2);
      const lo = indexToCodePoint(plane, first);
      const hi = indexToCodePoint(plane, last);
      if (plane === 0 && first < SURROGATE_LO && last >= SURROGATE_LO) {
        pairs.push(lo, SURROGATE_LO - 1, SURROGATE_LO + SURROGATE_COUNT, hi);
      } else {
        pairs.push(lo, hi);
      }
    }
  }
  return normalizeRanges(pairs);
}

// The general categories RE2 knows, spelled the way it spells them.
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

const cache = new Map<string, Ranges | null>();

/** Ranges of a `\p{name}` class, or null when RE2 would not know the name. */
export function unicodePropertyRanges(name: string): Ranges | null {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  let result: Ranges | null = null;
  if (name === 'Any') {
    result = [0, MAX_CODE_POINT];
  } else if (name === 'C') {
    // RE2's C has no unassigned code points, unlike the Unicode one.
    result = scan('[\\p{Cc}\\p{Cf}\\p{Co}]', ALL_PLANES);
  } else if (CATEGORIES.has(name)) {
    result = scan(`\\p{gc=${name}}`, ALL_PLANES);
  } else if (/^[A-Z][A-Za-z_]*$/.test(name)) {
    // Only a name made of letters may reach the RegExp source.
    let source: string | null = `\\p{Script=${name}}`;
    try {
      new RegExp(source, 'u');
    } catch {
      source = null;
    }
    if (source !== null) result = scan(source, ALL_PLANES);
  }
  cache.set(name, result);
  return result;
}

let cased: Ranges | null = null;

/** Code points that have a case mapping: the only ones case folding must look at. */
export function casedCodePoints(): Ranges {
  if (cased === null) cased = scan('\\p{Changes_When_Casemapped}', CASED_PLANES);
  return cased;
}
