-- The language a business's owner reads: the owner's SMS, email and call page are written in it (labels
-- from the agent definition in that language); the caller's words stay as they were said.
ALTER TABLE businesses ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
