-- The agent definition's fields as the call left them (JSON list of {name,label,kind,value,spoken,status}),
-- the call's language and which definition version answered. Older calls keep only `extraction`.
ALTER TABLE calls ADD COLUMN fields TEXT;
ALTER TABLE calls ADD COLUMN language TEXT;
ALTER TABLE calls ADD COLUMN agent_version INTEGER;
