import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefixes make a leaked secret recognisable (and scannable) by what it unlocks. */
export const PREFIX = { apiToken: 'vxa_', serverKey: 'vxs_', clientId: 'vxc_', session: 'vxu_' } as const;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * 32 base62 characters: about 190 bits of entropy. Bytes of 248 or more are skipped, so that
 * every character is equally likely (248 is the largest multiple of 62 under 256).
 */
export function newSecret(prefix: string, length = 32): string {
  let out = prefix;
  while (out.length < prefix.length + length)
    for (const b of randomBytes(length)) if (b < 248 && out.length < prefix.length + length) out += ALPHABET[b % 62];
  return out;
}

/**
 * Machine secrets have far more entropy than any password, so one SHA-256 is enough to make a
 * stolen table useless, and it keeps every authenticated request to one indexed lookup.
 */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** What lists show instead of a secret: its kind and last four characters. */
export const hintOf = (secret: string) => `${secret.slice(0, 4)}…${secret.slice(-4)}`;

export const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
