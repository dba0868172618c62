export const name = '0004-login-failures';

/**
 * Failed logins, per account (`email:<address>`) and per client address (`ip:<address>`), kept
 * for the limiter's window: every api node counts the same failures, and a restart forgets none.
 */
export const sql = /* sql */ `
CREATE TABLE login_failures (
  key TEXT NOT NULL,
  at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);
`;
