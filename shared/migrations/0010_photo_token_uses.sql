-- Photo uploads: each token counts the photos taken against it, reserved atomically before storing.
ALTER TABLE photo_tokens ADD COLUMN photos_used INTEGER NOT NULL DEFAULT 0;
