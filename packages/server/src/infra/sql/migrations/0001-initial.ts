export const name = '0001-initial';

export const sql = /* sql */ `
CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE environments (
  id              TEXT PRIMARY KEY,
  project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key             TEXT NOT NULL,
  name            TEXT NOT NULL,
  color           TEXT NOT NULL DEFAULT '#888888',
  sort_order      INTEGER NOT NULL DEFAULT 0,
  allowed_origins JSONB NOT NULL DEFAULT '[]',
  -- Per-environment change sequence: every flag or segment change takes the next number, and
  -- the outbox row carries it, so streams can apply changes in order and detect gaps.
  seq             BIGINT NOT NULL DEFAULT 0,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (project_id, key)
);

CREATE TABLE flags (
  id          TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key         TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL,
  variations  JSONB NOT NULL,
  tags        JSONB NOT NULL DEFAULT '[]',
  temporary   BOOLEAN NOT NULL DEFAULT true,
  maintainer  TEXT,
  client_visible BOOLEAN NOT NULL DEFAULT false,
  version     INTEGER NOT NULL DEFAULT 1,
  archived_at TIMESTAMPTZ,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (project_id, key)
);

-- One row per flag and environment: the targeting that environment evaluates.
CREATE TABLE flag_configs (
  flag_id        TEXT NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
  environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  config         JSONB NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1,
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (flag_id, environment_id)
);

CREATE TABLE segments (
  id             TEXT PRIMARY KEY,
  environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  key            TEXT NOT NULL,
  name           TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  tags           JSONB NOT NULL DEFAULT '[]',
  config         JSONB NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (environment_id, key)
);

-- The head of each audit chain: one per project, '' for installation-wide events. Appending
-- locks this row, so concurrent writers extend the chain one after the other.
CREATE TABLE audit_heads (
  chain TEXT PRIMARY KEY,
  seq   BIGINT NOT NULL,
  hash  TEXT NOT NULL
);

-- Append-only and hash-chained per project; see audit/chain.ts.
CREATE TABLE audit_events (
  id            BIGSERIAL PRIMARY KEY,
  project_id    TEXT,
  seq           BIGINT NOT NULL,
  at            TIMESTAMPTZ NOT NULL,
  actor_type    TEXT NOT NULL,
  actor_id      TEXT NOT NULL,
  actor_name    TEXT NOT NULL,
  action        TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_key  TEXT NOT NULL,
  environment_key TEXT,
  before        JSONB,
  after         JSONB,
  comment       TEXT NOT NULL DEFAULT '',
  request_id    TEXT NOT NULL DEFAULT '',
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_events_chain ON audit_events (COALESCE(project_id, ''), seq);
CREATE INDEX audit_events_project_id ON audit_events (project_id, id DESC);
CREATE INDEX audit_events_resource ON audit_events (project_id, resource_type, resource_key, id DESC);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id DESC);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE outbox (
  id             BIGSERIAL PRIMARY KEY,
  environment_id TEXT NOT NULL,
  seq            BIGINT NOT NULL,
  entity         TEXT NOT NULL,
  key            TEXT NOT NULL,
  op             TEXT NOT NULL,
  payload        JSONB,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at   TIMESTAMPTZ,
  UNIQUE (environment_id, seq)
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  is_admin      BOOLEAN NOT NULL DEFAULT false,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  disabled_at   TIMESTAMPTZ
);

-- A user's role in a project; environments NULL means every environment of the project.
CREATE TABLE memberships (
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  role         TEXT NOT NULL,
  environments JSONB,
  PRIMARY KEY (user_id, project_id)
);

CREATE TABLE sessions (
  id_hash     TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL,
  project_id   TEXT REFERENCES projects(id) ON DELETE CASCADE,
  environment_id TEXT REFERENCES environments(id) ON DELETE CASCADE,
  secret_hash  TEXT NOT NULL UNIQUE,
  hint         TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at   TIMESTAMPTZ,
  revoked_at   TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ
);

-- Server SDK keys (secret: only a hash is kept) and client-side IDs (public) per environment.
CREATE TABLE sdk_keys (
  id             TEXT PRIMARY KEY,
  environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  kind           TEXT NOT NULL,
  secret_hash    TEXT UNIQUE,
  public_id      TEXT UNIQUE,
  hint           TEXT NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at     TIMESTAMPTZ,
  revoked_at     TIMESTAMPTZ
);
`;
