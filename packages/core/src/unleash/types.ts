/**
 * What Unleash sends to its client SDKs: the `/api/client/features` payload (form 1) and the
 * delta API's events (form 2), plus the Unleash evaluation context and variant result. Shapes as
 * in the Unleash client specification; every field a client ignores is optional here. The input
 * is network JSON, so the translator checks types where a wrong one would matter.
 */

export interface UnleashConstraint {
  contextName: string;
  operator: string;
  /** IN, NOT_IN, STR_*, IN_CIDR. */
  values?: string[];
  /** NUM_*, DATE_*, SEMVER_*, REGEX. */
  value?: string;
  inverted?: boolean;
  caseInsensitive?: boolean;
}

export interface UnleashPayload {
  type: string;
  /** Always a string, whatever `type` says ("1.2" for a number, JSON text for json). */
  value: string;
}

export interface UnleashOverride {
  contextName: string;
  values: string[];
}

export interface UnleashVariant {
  name: string;
  /** Any non-negative integer; a variant's share is weight / (sum of the set's weights). */
  weight: number;
  weightType?: string;
  stickiness?: string;
  payload?: UnleashPayload;
  overrides?: UnleashOverride[];
}

export interface UnleashStrategy {
  name: string;
  /** Unleash sends every parameter as a string ("percentage": "50"). */
  parameters?: Record<string, string>;
  constraints?: UnleashConstraint[];
  /** Segment ids, resolved against the state's `segments`. */
  segments?: number[];
  variants?: UnleashVariant[];
  disabled?: boolean;
}

export interface UnleashDependency {
  feature: string;
  /** Required enabled state of the parent; default true. */
  enabled?: boolean;
  /** When non-empty, the parent's variant name must be one of these. */
  variants?: string[];
}

export interface UnleashFeature {
  name: string;
  enabled: boolean;
  strategies?: UnleashStrategy[];
  variants?: UnleashVariant[] | null;
  dependencies?: UnleashDependency[];
  /** Sent by the delta API; Unleash clients apply segments per strategy, so it is ignored. */
  segments?: number[];
  description?: string | null;
  project?: string;
  type?: string;
  stale?: boolean;
  impressionData?: boolean;
}

export interface UnleashSegment {
  id: number;
  name?: string;
  constraints: UnleashConstraint[];
}

/** Form 1: the `/api/client/features` response. */
export interface UnleashState {
  version?: number;
  features: UnleashFeature[];
  segments?: UnleashSegment[];
}

/** Form 2: one event of the delta API. */
export type UnleashDeltaEvent =
  | { eventId?: number; type: 'hydration'; features: UnleashFeature[]; segments?: UnleashSegment[] }
  | { eventId?: number; type: 'feature-updated'; feature: UnleashFeature }
  | { eventId?: number; type: 'feature-removed'; featureName: string; project?: string }
  | { eventId?: number; type: 'segment-updated'; segment: UnleashSegment }
  | { eventId?: number; type: 'segment-removed'; segmentId: number };

/**
 * An Unleash evaluation context. Fields other than these (and `properties`) are allowed at the top
 * level too, as the Node SDK allows them; a lookup tries the top level first, then `properties`.
 */
export interface UnleashContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  environment?: string;
  appName?: string;
  /** ISO-8601 text or a Date; defaults to the time of the conversion. */
  currentTime?: string | Date;
  properties?: Record<string, string | number | boolean | null | undefined>;
  [field: string]: unknown;
}

/** What an Unleash SDK's `getVariant` returns. */
export interface UnleashVariantResult {
  name: string;
  payload?: UnleashPayload;
  /** A real variant was chosen. */
  enabled: boolean;
  /** The feature itself evaluated as enabled. */
  feature_enabled: boolean;
}

export interface TranslationWarning {
  /** JSON Pointer into the translated state (`/features/3/strategies/0/constraints/1`). */
  path: string;
  message: string;
}

/** Records a warning; shared by every translation step. */
export type Warn = (path: string, message: string) => void;
