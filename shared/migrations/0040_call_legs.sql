-- One row per media stream a call was connected to (its "legs"). A call starts with leg 1; when a
-- stream ends without the agent completing the call (worker full, crashed, restarted), Twilio asks
-- <Connect action> and the call may fail over to another worker as the next leg, or go to voicemail.
-- `outcome`: NULL while the stream runs; agent_completed | failed | voicemail afterwards.
CREATE TABLE call_legs (
  call_sid TEXT NOT NULL,
  leg INTEGER NOT NULL,
  worker_id TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT,
  PRIMARY KEY (call_sid, leg)
);
