-- Agent definitions (shared/agents/definition.py) as validated JSON, one line of versions per business and
-- purpose: "inbound" is the business's own line; an outbound campaign later keeps its own purpose
-- (e.g. "campaign_<id>") under the business that places it. Every save is a new version; the active one
-- is a pointer, so going back to an older version is one update and loses nothing.
CREATE TABLE agent_definitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  business_id TEXT NOT NULL REFERENCES businesses(id),
  purpose TEXT NOT NULL DEFAULT 'inbound',
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,            -- JSON of AgentDefinition
  template TEXT,                       -- the template it started from, if any
  created_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (business_id, purpose, version)
);

CREATE TABLE agent_definition_active (
  business_id TEXT NOT NULL REFERENCES businesses(id),
  purpose TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (business_id, purpose)
);
