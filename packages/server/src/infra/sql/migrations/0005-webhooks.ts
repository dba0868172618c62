export const name = '0005-webhooks';

/**
 * Webhooks of a project and their deliveries. A delivery row is written in the same transaction
 * as the change it reports, so nothing committed goes unreported; the dispatcher sends it (again,
 * with backoff, until it is acknowledged or gives up) and records each attempt's outcome.
 * `secret` signs payloads (HMAC), so it is kept as issued: it is never returned after creation.
 */
export const sql = /* sql */ `
CREATE TABLE webhooks (
  id          TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  url         TEXT NOT NULL,
  events      JSONB NOT NULL,
  secret      TEXT NOT NULL,
  hint        TEXT NOT NULL,
  active      BOOLEAN NOT NULL DEFAULT true,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_project ON webhooks (project_id);

CREATE TABLE webhook_deliveries (
  id              TEXT PRIMARY KEY,
  webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  audit_event_id  BIGINT NOT NULL,
  action          TEXT NOT NULL,
  payload         JSONB NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_status     INTEGER,
  last_error      TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  delivered_at    TIMESTAMPTZ,
  failed_at       TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC);
`;
