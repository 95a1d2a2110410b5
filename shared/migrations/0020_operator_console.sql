-- Operator console: accounts, sessions, API tokens and sign-in attempts (for rate limiting).
-- Secrets are never stored: passwords as argon2 hashes, session ids and API tokens as sha256.
CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_login_at TEXT
);
CREATE UNIQUE INDEX operators_email ON operators(lower(email));

CREATE TABLE operator_sessions (
  id_hash TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions(operator_id);

CREATE TABLE operator_api_tokens (
  id TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  succeeded INTEGER NOT NULL,
  attempted_at TEXT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts(client_ip, attempted_at);
