export type { AllFlagsStateOptions, ClientEvents, FlagState, FlagsState } from './client.js';
export { init, VexilClient } from './client.js';
export {
  ConfigurationError,
  EventsError,
  FileError,
  HttpError,
  InvalidDataError,
  NetworkError,
  StreamMalformedError,
  StreamStalledError,
  TimeoutError,
  UnauthorizedError,
  VexilError,
  type VexilErrorCode,
} from './errors.js';
export type {
  AnalyticsEvent,
  ContextKeys,
  CustomEvent,
  EventPayload,
  ExposureEvent,
  SummaryCounter,
  SummaryEvent,
} from './events/types.js';
export type { EvaluationHook, HookContext, HookData, VariationMethod } from './hooks.js';
export type { DeliveryMode, Logger, VexilOptions } from './options.js';
export { silentLogger } from './options.js';
export type { SnapshotInput } from './snapshot.js';
export type { DataSourceState, DegradationLevel, FlagSource, SdkStatus } from './status.js';
export type {
  Context,
  EvaluationDetail,
  EvaluationReason,
  EventStats,
  FlagChange,
  JsonValue,
  MultiContext,
  SdkErrorKind,
  SingleContext,
} from './types.js';
