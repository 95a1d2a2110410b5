"""Voicemails transcribed: Twilio's recording → a worker's Whisper → the call's message and the owner's SMS
and email, through a job queue (SQS in production, the database locally)."""
