-- Messages the agent took for a person or department during a call (tool take_message): shown on the
-- call page, sent to that person's phone and/or email through the notifications outbox.
CREATE TABLE call_messages (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  for_whom TEXT NOT NULL,
  contact_name TEXT NOT NULL DEFAULT '',
  from_name TEXT NOT NULL DEFAULT '',
  callback TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX call_messages_call ON call_messages (call_id);
