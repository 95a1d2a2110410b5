-- The people and departments a receptionist can take a message for or put a caller through to
-- (gpu_worker/tools: take_message, transfer). Edited in the console; phone in E.164, email optional.
CREATE TABLE business_people (
  id TEXT PRIMARY KEY,
  business_id TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('person', 'department')),
  name TEXT NOT NULL,
  aliases TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  transfers INTEGER NOT NULL DEFAULT 1 CHECK (transfers IN (0, 1)),
  updated_at TEXT NOT NULL
);
CREATE INDEX business_people_business ON business_people (business_id);

-- Every tool the agent used on a call (name, arguments, outcome, what it said, duration): the intent log.
CREATE TABLE call_tool_calls (
  call_sid TEXT NOT NULL,
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  arguments TEXT NOT NULL,
  outcome TEXT NOT NULL,
  result TEXT NOT NULL,
  detail TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (call_sid, seq)
);
