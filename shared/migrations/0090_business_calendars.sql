-- Where each business's visits are booked (shared/calendars/calendar_choice.py). Credentials never live
-- here: the provider's secrets are the deployment's settings (Secrets Manager); a row names the provider and
-- the business's calendar within it (Google calendar id, Microsoft mailbox, CalDAV collection URL).
CREATE TABLE business_calendars (
  business_id TEXT PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
  provider TEXT NOT NULL CHECK (provider IN ('none', 'google', 'microsoft', 'caldav')),
  calendar_id TEXT NOT NULL DEFAULT '',
  booking_link_url TEXT NOT NULL DEFAULT '',
  visit_minutes INTEGER NOT NULL DEFAULT 60 CHECK (visit_minutes BETWEEN 5 AND 1440),
  lead_minutes INTEGER NOT NULL DEFAULT 120 CHECK (lead_minutes BETWEEN 0 AND 20160),
  updated_at TEXT NOT NULL
);
