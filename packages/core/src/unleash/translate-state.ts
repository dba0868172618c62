/**
 * A whole Unleash state (the `/api/client/features` payload) as Vexil flags and segments. Pure:
 * no I/O, no clock, no randomness; the same state always gives the same output.
 *
 * Every translated flag and segment is checked with Vexil's own validation; one that fails (an
 * input beyond Vexil's limits, say) is left out with its issues as warnings, so the output
 * always passes `createEvaluator`. A feature left out evaluates as unknown (not enabled).
 */
import type { Flag } from '../model/flag.js';
import type { Segment } from '../model/segment.js';
import { pointer } from '../schema/check.js';
import { validateFlag } from '../validate/flag.js';
import { validateSegment } from '../validate/segment.js';
import { isObject } from './guards.js';
import { translateDependencies } from './translate-dependencies.js';
import { type TranslatedFeature, translateFeature } from './translate-feature.js';
import { translateSegment } from './translate-segment.js';
import type { TranslationWarning, UnleashState } from './types.js';

export interface UnleashTranslation {
  flags: Flag[];
  segments: Segment[];
  warnings: TranslationWarning[];
}

export function translateUnleashState(state: UnleashState): UnleashTranslation {
  const warnings: TranslationWarning[] = [];
  const warn = (path: string, message: string) => {
    warnings.push({ path, message });
  };
  const input: unknown = state;
  if (!isObject(input)) {
    warn('', 'not an Unleash state object');
    return { flags: [], segments: [], warnings };
  }

  const segments = new Map<string, Segment>();
  const segmentKeys = new Map<string, string>();
  if (Array.isArray(input.segments)) {
    input.segments.forEach((s: unknown, i) => {
      const path = pointer('/segments', i);
      const translated = translateSegment(s, path, warn);
      if (translated === undefined) return;
      const issues = validateSegment(translated.segment);
      if (issues.length > 0) {
        for (const issue of issues)
          warn(path, `segment left out, its translation is invalid at ${issue.path}: ${issue.message}`);
        return;
      }
      if (segmentKeys.has(translated.id)) warn(path, `segment ${translated.id} appears twice: the later one is used`);
      segmentKeys.set(translated.id, translated.segment.key);
      segments.set(translated.id, translated.segment);
    });
  } else if (input.segments !== undefined && input.segments !== null) {
    warn('/segments', 'segments is not a list: ignored');
  }

  const features = new Map<string, TranslatedFeature>();
  if (Array.isArray(input.features)) {
    input.features.forEach((f: unknown, i) => {
      const path = pointer('/features', i);
      const translated = translateFeature(f, path, segmentKeys, warn);
      if (translated === undefined) return;
      const issues = validateFlag(translated.flag);
      if (issues.length > 0) {
        for (const issue of issues)
          warn(path, `feature left out, its translation is invalid at ${issue.path}: ${issue.message}`);
        return;
      }
      if (features.has(translated.flag.key))
        warn(path, `feature "${translated.flag.key}" appears twice: the later one is used`);
      features.set(translated.flag.key, translated);
    });
  } else {
    warn('/features', 'features is not a list');
  }

  const usedKeys = new Set(features.keys());
  const helpers = translateDependencies(features, usedKeys, warn);
  const flags: Flag[] = [];
  for (const f of features.values()) flags.push(f.flag, ...(helpers.get(f.flag.key) ?? []));
  return { flags, segments: [...segments.values()], warnings };
}
