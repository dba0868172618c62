/**
 * Unleash → Vexil: a pure translator from Unleash client feature state to Vexil flags and
 * segments that keeps every user in the bucket Unleash put them in. See README.md beside this file.
 *
 * ```ts
 * const { flags, segments, warnings } = translateUnleashState(await (await fetch(url)).json());
 * const compiled = createEvaluator({ flags, segments });
 * const result = compiled.ok && compiled.evaluator.evaluate('my-toggle', unleashContextToVexil({ userId: '42' }));
 * isEnabled(result); toUnleashVariant(result);
 * ```
 */

export { unleashAttribute } from './attributes.js';
export { unleashContextToVexil } from './context.js';
export { applyUnleashDeltas } from './deltas.js';
export { segmentKey } from './translate-segment.js';
export { translateUnleashState, type UnleashTranslation } from './translate-state.js';
export type {
  TranslationWarning,
  UnleashConstraint,
  UnleashContext,
  UnleashDeltaEvent,
  UnleashDependency,
  UnleashFeature,
  UnleashOverride,
  UnleashPayload,
  UnleashSegment,
  UnleashState,
  UnleashStrategy,
  UnleashVariant,
  UnleashVariantResult,
} from './types.js';
export { isEnabled, toUnleashVariant } from './variant-result.js';
