-- Who may watch a video: its owner (the token's `sub`). Nullable, so a worker's plain INSERT keeps
-- working; a video without an owner is visible to video-admin only.
ALTER TABLE videos ADD COLUMN owner_id text;

CREATE INDEX videos_owner_id ON videos (owner_id, id);
