-- A call the agent transferred is reported in parts: each stream that handed the call to a person sends
-- its report (end reason `transferred`), and Twilio says whether the person answered. An answered
-- transfer ends the call: its parts become the call's report. An unanswered one comes back to an agent on
-- a new stream, whose report is joined to the parts before it, so the owner gets one report with all of it.
-- Part k pairs the k-th handed-off report with the k-th <Dial> outcome, whichever arrives first.
CREATE TABLE call_handoffs (
  call_sid TEXT NOT NULL,
  part INTEGER NOT NULL,
  report TEXT,
  dial_status TEXT,
  PRIMARY KEY (call_sid, part)
);
