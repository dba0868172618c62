export const name = '0003-events';

/**
 * Analytics events sent by server SDKs (POST /events/v1/bulk): evaluation summaries, experiment
 * exposures and custom events, one row each, as received. Contexts arrive reduced to their keys.
 * `dropped` rows record events an SDK had to drop while the server was unreachable.
 */
export const sql = /* sql */ `
CREATE TABLE sdk_events (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  credential_id  TEXT NOT NULL,
  kind           TEXT NOT NULL,
  event_key      TEXT,
  occurred_at    TIMESTAMPTZ NOT NULL,
  received_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  payload_id     TEXT,
  sdk            TEXT,
  payload        JSONB NOT NULL
);
CREATE INDEX sdk_events_environment_kind ON sdk_events (environment_id, kind, received_at);
`;
