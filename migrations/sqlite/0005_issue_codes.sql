-- What kind of problem each import issue is, as a stable code the UI words in the person's
-- language (`reason` keeps the English details). Issues recorded before this have 'other'.
ALTER TABLE import_issues ADD COLUMN code TEXT NOT NULL DEFAULT 'other';
