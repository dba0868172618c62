export { createClient, VexilClient } from './client.js';
export { VexilHttpError } from './fetch-values.js';
export type {
  ChangeListener,
  ClientOptions,
  Context,
  EvaluationDetail,
  FlagState,
  FlagValues,
  Reason,
  Source,
} from './types.js';
