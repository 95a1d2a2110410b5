-- Outbound calls that pursue a goal (shared/outbound). A campaign is one agent definition's business
-- calling a list of numbers; each number is a call job, retried with backoff after busy / no-answer /
-- failed, only within the callee's local calling hours and at the campaign's rate.
CREATE TABLE outbound_campaigns (
  id TEXT PRIMARY KEY,
  business_id TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  from_number TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'finished')),
  calling_start_minute INTEGER NOT NULL DEFAULT 540 CHECK (calling_start_minute BETWEEN 0 AND 1439),
  calling_end_minute INTEGER NOT NULL DEFAULT 1200 CHECK (calling_end_minute BETWEEN 1 AND 1440),
  max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10),
  retry_base_s INTEGER NOT NULL DEFAULT 900 CHECK (retry_base_s BETWEEN 1 AND 86400),
  calls_per_minute INTEGER NOT NULL DEFAULT 6 CHECK (calls_per_minute BETWEEN 1 AND 600),
  created_at TEXT NOT NULL
);

CREATE TABLE outbound_call_jobs (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES outbound_campaigns(id) ON DELETE CASCADE,
  to_number TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'dialing', 'completed', 'voicemail', 'gave_up', 'do_not_call')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  call_sid TEXT,
  last_dialled_at TEXT,
  last_outcome TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (campaign_id, to_number)
);
CREATE INDEX outbound_call_jobs_due ON outbound_call_jobs (status, next_attempt_at);
CREATE INDEX outbound_call_jobs_call ON outbound_call_jobs (call_sid);

-- Numbers a business must never call (a callee who asked, or the operator's list).
CREATE TABLE do_not_call (
  business_id TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  number TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  added_at TEXT NOT NULL,
  PRIMARY KEY (business_id, number)
);
