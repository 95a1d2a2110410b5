-- Full-text search over call transcripts and extractions (FTS5), kept in sync by triggers.
-- rowid of calls_fts = rowid of calls; the text is the transcript's spoken words plus the extraction's fields.
CREATE VIRTUAL TABLE calls_fts USING fts5(transcript_text, extraction_text, tokenize = 'porter unicode61');

CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
  INSERT INTO calls_fts (rowid, transcript_text, extraction_text) VALUES (
    NEW.rowid,
    COALESCE((SELECT group_concat(json_extract(value, '$.text'), ' ') FROM json_each(NEW.transcript)), ''),
    COALESCE((SELECT group_concat(value, ' ') FROM json_each(NEW.extraction) WHERE type = 'text'), '')
  );
END;

CREATE TRIGGER calls_fts_update AFTER UPDATE OF transcript, extraction ON calls BEGIN
  DELETE FROM calls_fts WHERE rowid = OLD.rowid;
  INSERT INTO calls_fts (rowid, transcript_text, extraction_text) VALUES (
    NEW.rowid,
    COALESCE((SELECT group_concat(json_extract(value, '$.text'), ' ') FROM json_each(NEW.transcript)), ''),
    COALESCE((SELECT group_concat(value, ' ') FROM json_each(NEW.extraction) WHERE type = 'text'), '')
  );
END;

CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
  DELETE FROM calls_fts WHERE rowid = OLD.rowid;
END;

INSERT INTO calls_fts (rowid, transcript_text, extraction_text)
SELECT
  calls.rowid,
  COALESCE((SELECT group_concat(json_extract(value, '$.text'), ' ') FROM json_each(calls.transcript)), ''),
  COALESCE((SELECT group_concat(value, ' ') FROM json_each(calls.extraction) WHERE type = 'text'), '')
FROM calls;
