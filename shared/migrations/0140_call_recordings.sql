-- Both sides of a call, recorded by the worker when the call's agent definition says `record_calls`
-- (the agent announces it first): one stereo WAV in blob storage (left the caller, right the agent),
-- its key and length on the call. A business keeps recordings `recording_retention_days` (a scheduled
-- sweep deletes older ones and clears these fields); Twilio voicemails (recording_url) are not these.
ALTER TABLE calls ADD COLUMN recording_key TEXT;
ALTER TABLE calls ADD COLUMN recording_ms INTEGER;
ALTER TABLE businesses ADD COLUMN recording_retention_days INTEGER NOT NULL DEFAULT 90;
CREATE INDEX calls_with_recording ON calls (started_at) WHERE recording_key IS NOT NULL;
