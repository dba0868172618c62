import { WEIGHT_TOTAL } from '../model/flag.js';
import { murmur3 } from './murmur3.js';

/** Unleash's seed for variant selection (its rollout gates use seed 0). */
export const UNLEASH_VARIANT_SEED = 86028157;

/** The string hashed before the bucketed value, per mode: "<seed>." (Vexil) or "<group>:" (Unleash). */
export const bucketPrefix = (mode: 'vexil' | 'unleash', seed: string) => (mode === 'unleash' ? `${seed}:` : `${seed}.`);

/**
 * Vexil's bucket: murmur3("<seed>.<value>") scaled onto 0..99999. Scaling rather than taking a
 * remainder keeps every bucket the same size to within one part in 42,950.
 */
export const vexilBucket = (prefix: string, value: string): number =>
  Math.floor((murmur3(prefix, value, 0) * WEIGHT_TOTAL) / 4294967296);

/** Unleash's `normalizedValue(id, groupId, 100)`: 1..100. */
export const unleashPercentile = (prefix: string, value: string): number => (murmur3(prefix, value, 0) % 100) + 1;

/** Unleash's variant target: 1..totalWeight. */
export const unleashVariantTarget = (prefix: string, value: string, totalWeight: number): number =>
  (murmur3(prefix, value, UNLEASH_VARIANT_SEED) % totalWeight) + 1;
