import type { Flag, Segment } from '../src/index.js';

/** A boolean flag that is on, serves false by default, with the given overrides. */
export const boolFlag = (key: string, over: Partial<Flag> = {}): Flag => ({
  key,
  version: 1,
  kind: 'boolean',
  variations: [{ value: false }, { value: true }],
  on: true,
  offVariation: 0,
  fallthrough: { variation: 0 },
  ...over,
});

export const segment = (key: string, over: Partial<Segment> = {}): Segment => ({ key, version: 1, ...over });
