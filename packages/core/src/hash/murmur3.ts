/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of `prefix + value`, computed without
 * concatenating or encoding the strings, so that bucketing allocates nothing. Unleash buckets
 * with this exact function, which is what lets an imported rollout keep every user in the
 * same bucket.
 */
export function murmur3(prefix: string, value: string, seed: number): number {
  h = seed >>> 0;
  block = 0;
  filled = 0;
  length = 0;
  feed(prefix);
  feed(value);
  if (filled > 0) h ^= mixK(block);
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Hash state lives at module level: evaluation is synchronous and never re-enters murmur3,
// and closures or a state object per call would allocate on the hot path.
let h = 0;
let block = 0;
let filled = 0;
let length = 0;

function feed(s: string): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    // A lone surrogate encodes as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 63));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    }
  }
}

function byte(b: number): void {
  block |= b << (filled << 3);
  length++;
  if (++filled === 4) {
    h ^= mixK(block);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    block = 0;
    filled = 0;
  }
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}
