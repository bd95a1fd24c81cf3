-- Validates V4's constraint (SHARE UPDATE EXCLUSIVE: workers keep writing while the table is scanned).
ALTER TABLE videos VALIDATE CONSTRAINT videos_id_format;
