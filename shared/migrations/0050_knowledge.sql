-- The business's own documents, cut into chunks with one embedding each, and the log of answers given
-- from them during calls (the console's citations log). Vectors are float32, little-endian: a plain BLOB
-- in the libSQL file (searched exactly in the worker) and libSQL's own vector type on a sqld/Turso
-- server, where a vector index per language is created when the language's first document arrives.
CREATE TABLE knowledge_documents (
  id TEXT PRIMARY KEY,
  business_id TEXT NOT NULL REFERENCES businesses(id),
  language TEXT NOT NULL,
  title TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,          -- text | markdown | pdf | html
  byte_size INTEGER NOT NULL,
  char_count INTEGER NOT NULL,
  chunk_count INTEGER NOT NULL,
  embedding_model TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX knowledge_documents_scope ON knowledge_documents(business_id, language);

CREATE TABLE knowledge_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id TEXT NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
  business_id TEXT NOT NULL,
  language TEXT NOT NULL,
  position INTEGER NOT NULL,
  heading TEXT NOT NULL,
  text TEXT NOT NULL,
  embedding F32_BLOB(384) NOT NULL
);
CREATE INDEX knowledge_chunks_scope ON knowledge_chunks(business_id, language);
CREATE INDEX knowledge_chunks_document ON knowledge_chunks(document_id);

-- How sure retrieval must be before the agent answers from the documents (cosine similarity).
CREATE TABLE knowledge_settings (
  business_id TEXT PRIMARY KEY REFERENCES businesses(id),
  min_score REAL NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE knowledge_answers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_sid TEXT,
  business_id TEXT NOT NULL,
  language TEXT NOT NULL,
  question TEXT NOT NULL,
  found INTEGER NOT NULL,
  source_title TEXT NOT NULL DEFAULT '',
  said TEXT NOT NULL,
  best_score REAL,
  min_score REAL NOT NULL,
  chunks TEXT NOT NULL DEFAULT '[]',   -- JSON: [{document_id, title, heading, score, text}]
  total_ms REAL,
  created_at TEXT NOT NULL
);
CREATE INDEX knowledge_answers_business ON knowledge_answers(business_id, created_at);
CREATE INDEX knowledge_answers_call ON knowledge_answers(call_sid);
