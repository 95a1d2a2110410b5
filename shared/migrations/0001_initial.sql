-- BuddyHelps schema, version 1. Timestamps are UTC ISO-8601 text; JSON columns are text.
CREATE TABLE businesses (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_phone TEXT NOT NULL,
  owner_email TEXT NOT NULL DEFAULT '',
  timezone TEXT NOT NULL DEFAULT 'America/New_York',
  opening_hours TEXT NOT NULL DEFAULT '',
  voice TEXT NOT NULL DEFAULT 'af_heart',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  base_url TEXT NOT NULL UNIQUE,
  capacity INTEGER NOT NULL DEFAULT 4,
  draining INTEGER NOT NULL DEFAULT 0,
  healthy INTEGER NOT NULL DEFAULT 0,
  active_calls INTEGER NOT NULL DEFAULT 0,
  last_health TEXT,
  last_seen_at TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE phone_numbers (
  e164 TEXT PRIMARY KEY,
  business_id TEXT NOT NULL REFERENCES businesses(id),
  mode TEXT NOT NULL DEFAULT 'live' CHECK (mode IN ('demo', 'live')),
  worker_id TEXT REFERENCES workers(id),
  twilio_sid TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX phone_numbers_business ON phone_numbers(business_id);

CREATE TABLE prompts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  business_id TEXT NOT NULL REFERENCES businesses(id),
  mode TEXT NOT NULL CHECK (mode IN ('demo', 'live')),
  version INTEGER NOT NULL,
  system_prompt TEXT NOT NULL,
  greeting TEXT NOT NULL,
  created_by TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (business_id, mode, version)
);

CREATE TABLE keyword_corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  business_id TEXT REFERENCES businesses(id),  -- NULL: applies to every business
  heard TEXT NOT NULL,
  corrected TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX keyword_corrections_unique ON keyword_corrections(COALESCE(business_id, ''), lower(heard));

CREATE TABLE calls (
  id TEXT PRIMARY KEY,                 -- unguessable, used in /c/{id}
  call_sid TEXT NOT NULL UNIQUE,
  business_id TEXT REFERENCES businesses(id),
  from_number TEXT NOT NULL,
  to_number TEXT NOT NULL,
  direction TEXT NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
  status TEXT NOT NULL,
  mode TEXT NOT NULL DEFAULT 'live',
  worker_id TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  duration_s INTEGER,
  transcript TEXT NOT NULL DEFAULT '[]',
  extraction TEXT,
  extraction_status TEXT,              -- ok | failed | NULL (not reported yet)
  urgency TEXT,
  latency TEXT NOT NULL DEFAULT '[]',
  dtmf TEXT NOT NULL DEFAULT '',
  end_reason TEXT,
  goal TEXT,                           -- outbound calls: what the call should find out
  recording_url TEXT,
  recording_sid TEXT,
  recording_duration_s INTEGER,
  voicemail INTEGER NOT NULL DEFAULT 0,
  reported_at TEXT
);
CREATE INDEX calls_business_started ON calls(business_id, started_at);
CREATE INDEX calls_started ON calls(started_at);

CREATE TABLE call_status_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_sid TEXT NOT NULL,
  status TEXT NOT NULL,
  duration_s INTEGER,
  received_at TEXT NOT NULL,
  UNIQUE (call_sid, status)
);

CREATE TABLE photo_tokens (
  token_hash TEXT PRIMARY KEY,         -- sha256 of the token; the token itself is never stored
  call_id TEXT NOT NULL REFERENCES calls(id),
  expires_at TEXT NOT NULL,
  max_photos INTEGER NOT NULL DEFAULT 10,
  created_at TEXT NOT NULL
);
CREATE INDEX photo_tokens_call ON photo_tokens(call_id);

CREATE TABLE photos (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES calls(id),
  blob_key TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  original_name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE INDEX photos_call ON photos(call_id);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  call_id TEXT REFERENCES calls(id),
  purpose TEXT NOT NULL,               -- owner_sms | owner_email | caller_photo_link | ...
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  recipient TEXT NOT NULL,
  subject TEXT,
  body TEXT NOT NULL,
  html_body TEXT,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'recorded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  provider_id TEXT,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (call_id, purpose)
);
CREATE INDEX notifications_status ON notifications(status, next_attempt_at);
