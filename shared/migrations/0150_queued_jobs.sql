-- Background jobs (shared/jobs): one row per job, whichever transport delivers it (the database itself
-- locally, SQS in production). A job is claimed with a lease; a failed attempt waits a growing delay;
-- after max_attempts (or an error retrying cannot fix) it is `failed` with its last error, shown in the
-- console's jobs page, where an operator may send it again. `dedupe_key` makes enqueueing idempotent
-- (a voicemail's job is keyed by its recording sid: Twilio's repeated callback adds nothing).
CREATE TABLE queued_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL DEFAULT '{}',
  call_sid TEXT,
  status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 20),
  run_after TEXT NOT NULL,
  lease_until TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX queued_jobs_due ON queued_jobs (status, run_after);
CREATE INDEX queued_jobs_call ON queued_jobs (call_sid);
