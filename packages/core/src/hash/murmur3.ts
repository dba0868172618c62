/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of `prefix + value`, computed without
 * concatenating or encoding the strings, so that bucketing allocates nothing. Unleash buckets
 * with this exact function, which is what lets an imported rollout keep every user in the
 * same bucket.
 */
export function murmur3(prefix: string, value: string, seed: number): number {
  let h = seed >>> 0;
  // Bytes not yet forming a whole 4-byte block, packed little-endian, and how many there are.
  let block = 0;
  let filled = 0;
  let length = 0;
  for (let part = 0; part < 2; part++) {
    const s = part === 0 ? prefix : value;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        // ASCII, by far the common case: one byte, mixed in when a block fills.
        block |= c << (filled << 3);
        length++;
        if (++filled === 4) {
          h = mix(h, block);
          block = 0;
          filled = 0;
        }
        continue;
      }
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        }
      }
      // A lone surrogate encodes as U+FFFD, as TextEncoder does.
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      const bytes =
        c < 0x800
          ? [0xc0 | (c >> 6), 0x80 | (c & 63)]
          : c < 0x10000
            ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)]
            : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
      for (const b of bytes) {
        block |= b << (filled << 3);
        length++;
        if (++filled === 4) {
          h = mix(h, block);
          block = 0;
          filled = 0;
        }
      }
    }
  }
  if (filled > 0) h ^= mixK(block);
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, block: number): number {
  h ^= mixK(block);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}
