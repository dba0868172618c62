/**
 * Reading an evaluation result of a translated flag the Unleash way. The value of every variation
 * of a translated feature already is Unleash's variant result (see variations.ts); an error (an
 * unknown flag) has value null and reads as Unleash's unknown-toggle answer.
 */
import type { EvaluationResult } from '../eval/result.js';
import { isObject } from './guards.js';
import type { UnleashVariantResult } from './types.js';

const DISABLED: UnleashVariantResult = Object.freeze({ name: 'disabled', enabled: false, feature_enabled: false });

/** Unleash's `isEnabled`: the feature evaluated as enabled (true also for a helper flag serving true). */
export function isEnabled(result: Pick<EvaluationResult, 'value'> | null | undefined): boolean {
  const value = result?.value;
  if (value === true) return true;
  return isObject(value) && value.feature_enabled === true;
}

/** Unleash's `getVariant`: `{name, payload?, enabled, feature_enabled}`, a fresh object. */
export function toUnleashVariant(result: Pick<EvaluationResult, 'value'> | null | undefined): UnleashVariantResult {
  const value = result?.value;
  if (!isObject(value) || typeof value.name !== 'string') return { ...DISABLED };
  const variant: UnleashVariantResult = {
    name: value.name,
    enabled: value.enabled === true,
    feature_enabled: value.feature_enabled === true,
  };
  const payload = value.payload;
  if (variant.enabled && isObject(payload) && typeof payload.type === 'string' && typeof payload.value === 'string') {
    variant.payload = { type: payload.type, value: payload.value };
  }
  return variant;
}
