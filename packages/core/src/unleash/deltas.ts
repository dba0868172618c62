/**
 * The delta API (form 2): events applied in order to a repository of features and segments, the
 * result being the same state the `/api/client/features` payload would give.
 *
 * `hydration` replaces everything; `feature-updated` / `segment-updated` insert or replace by name
 * / id; `feature-removed` / `segment-removed` delete. Unknown event types are skipped, as Unleash
 * clients skip them.
 */
import { isObject } from './guards.js';
import type { UnleashDeltaEvent, UnleashFeature, UnleashSegment, UnleashState } from './types.js';

export function applyUnleashDeltas(
  events: readonly UnleashDeltaEvent[] | { events: readonly UnleashDeltaEvent[] },
  base?: UnleashState,
): UnleashState {
  const features = new Map<string, UnleashFeature>();
  const segments = new Map<string, UnleashSegment>();
  const putFeature = (f: unknown) => {
    if (isObject(f) && typeof f.name === 'string') features.set(f.name, f as unknown as UnleashFeature);
  };
  const putSegment = (s: unknown) => {
    if (isObject(s) && (typeof s.id === 'number' || typeof s.id === 'string'))
      segments.set(String(s.id), s as unknown as UnleashSegment);
  };
  const hydrate = (fs: unknown, ss: unknown) => {
    features.clear();
    segments.clear();
    if (Array.isArray(fs)) fs.forEach(putFeature);
    if (Array.isArray(ss)) ss.forEach(putSegment);
  };
  if (base !== undefined) hydrate(base.features, base.segments);

  const list: readonly unknown[] = Array.isArray(events)
    ? events
    : isObject(events) && Array.isArray(events.events)
      ? events.events
      : [];
  for (const e of list) {
    if (!isObject(e)) continue;
    switch (e.type) {
      case 'hydration':
        hydrate(e.features, e.segments);
        break;
      case 'feature-updated':
        putFeature(e.feature);
        break;
      case 'feature-removed':
        if (typeof e.featureName === 'string') features.delete(e.featureName);
        break;
      case 'segment-updated':
        putSegment(e.segment);
        break;
      case 'segment-removed':
        if (typeof e.segmentId === 'number' || typeof e.segmentId === 'string') segments.delete(String(e.segmentId));
        break;
    }
  }
  return { version: 1, features: [...features.values()], segments: [...segments.values()] };
}
