import type { Flag, Segment } from '@vexil/core';

/** One committed change of one environment, as the outbox carries it to every stream node. */
export interface ChangeMessage {
  type: 'change';
  environmentId: string;
  seq: number;
  entity: 'flag' | 'segment';
  key: string;
  op: 'put' | 'delete';
  /** The evaluable flag or segment, for puts. */
  payload: Flag | Segment | null;
}

/** A credential stopped being valid: stream nodes close the connections it opened. */
export interface RevokedMessage {
  type: 'revoked';
  credentialId: string;
}

/** An environment's settings changed (allowed origins): stream nodes read them again. */
export interface EnvironmentSettingsMessage {
  type: 'environment';
  environmentId: string;
}

export type BusMessage = ChangeMessage | RevokedMessage | EnvironmentSettingsMessage;

/** An environment's full state at one sequence number: what `put` and GET /sdk/v1/flags carry. */
export interface EnvironmentSnapshot {
  environmentId: string;
  seq: number;
  flags: Record<string, Flag>;
  segments: Record<string, Segment>;
}
