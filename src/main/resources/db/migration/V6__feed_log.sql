-- The feed log: every change that makes a video appear in, change within, or leave somebody's feed (the set
-- of videos a caller may watch: their own, or all for video-admin), in ONE order that a client can resume
-- from with a cursor, on any replica. The status log (video_status_events) stays the truth of each video;
-- this log is the truth of the set. Notifications stay doorbells: creation and status changes already
-- notify (signed), owner changes and deletions ring their doorbell.
--
-- The order is (position, seq):
--  * position is the id of the writing transaction (64-bit, pg_current_xact_id), raised to at least the
--    position of the video's previous row, so one video's rows never go backwards even when a transaction
--    that took its id earlier commits its change later (it had to wait for the row lock of the other);
--  * seq is a sequence, unique, and increasing within a video (its changes are serialised by the row lock).
-- A reader takes only rows with position below the oldest transaction still running when its snapshot was
-- taken (pg_snapshot_xmin). Every row added later belongs to a transaction that was running then or started
-- since, and its position is at least that transaction's id, so at least that bound: what a reader has
-- passed never grows again. The price is that a long-running writing transaction anywhere in the database
-- holds the feed (not the one-video sockets) back until it ends; docs/operations.md says how to see it.

ALTER TABLE videos ADD COLUMN feed_position bigint;
ALTER TABLE video_tombstones ADD COLUMN feed_position bigint;

CREATE TABLE video_feed (
    position          bigint      NOT NULL,
    seq               bigint      GENERATED ALWAYS AS IDENTITY,
    video_id          text        NOT NULL,
    -- created | status | deleted: the video in its owner's feed; entered / left: an owner change, as the new
    -- and the old owner see it (admins see the entered row as the owner change)
    change            text        NOT NULL
                                  CONSTRAINT video_feed_change_known
                                  CHECK (change IN ('created', 'status', 'deleted', 'entered', 'left')),
    -- whose feed holds the row besides the admins' (null: admins only; 'left' rows: the old owner only)
    audience          text,
    version           bigint      NOT NULL,
    status            text        NOT NULL,
    previous_status   text,
    owner_id          text,
    previous_owner_id text,
    occurred_at       timestamptz NOT NULL,
    PRIMARY KEY (position, seq)
);

CREATE INDEX video_feed_audience ON video_feed (audience, position, seq) WHERE audience IS NOT NULL;

-- How far retention has removed the feed log: a cursor at or below it cannot be served (resync).
CREATE TABLE video_feed_pruned (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT video_feed_pruned_one CHECK (singleton),
    position  bigint  NOT NULL,
    seq       bigint  NOT NULL
);
INSERT INTO video_feed_pruned (position, seq) VALUES (0, 0);

-- BEFORE INSERT / UPDATE: as in V3, plus the feed position of a change that the feed records (a creation, a
-- status change, an owner change); any other update keeps the position, whatever the writer set.
CREATE OR REPLACE FUNCTION videos_assign_status_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
DECLARE
    tomb record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('video-events:' || NEW.id, 0));
        SELECT t.last_version, t.feed_position INTO tomb FROM video_tombstones t WHERE t.video_id = NEW.id;
        NEW.status_version := coalesce(tomb.last_version + 2, 1);
        NEW.feed_position := greatest(pg_current_xact_id()::text::bigint, tomb.feed_position);
        RETURN NEW;
    END IF;
    IF NEW.processing_status IS DISTINCT FROM OLD.processing_status THEN
        NEW.status_version := OLD.status_version + 1;
    ELSE
        NEW.status_version := OLD.status_version;
    END IF;
    IF NEW.processing_status IS DISTINCT FROM OLD.processing_status OR NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
        NEW.feed_position := greatest(pg_current_xact_id()::text::bigint, OLD.feed_position);
    ELSE
        NEW.feed_position := OLD.feed_position;
    END IF;
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;

-- AFTER INSERT / status UPDATE: as in V3, plus the feed row. When the same statement also changed the owner,
-- the owner change's rows (written first, by videos_access_changed) already carry the new status.
CREATE OR REPLACE FUNCTION videos_record_status_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
DECLARE
    previous text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.processing_status END;
    at       timestamptz := clock_timestamp();
    micros   bigint := (extract(epoch FROM at) * 1000000)::bigint;
    signed   text;
    pads     record;
BEGIN
    INSERT INTO video_status_events (video_id, version, status, previous_status, occurred_at)
    VALUES (NEW.id, NEW.status_version, NEW.processing_status, previous, at);

    IF TG_OP = 'INSERT' OR OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id THEN
        INSERT INTO video_feed (position, video_id, change, audience, version, status, previous_status, owner_id, occurred_at)
        VALUES (NEW.feed_position, NEW.id, CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'status' END, NEW.owner_id,
                NEW.status_version, NEW.processing_status, previous, NEW.owner_id, at);
    END IF;

    SELECT inner_pad, outer_pad INTO pads FROM video_events_signing_key;
    signed := NEW.id || E'\n' || NEW.status_version || E'\n' || NEW.processing_status || E'\n'
                  || coalesce(previous, '') || E'\n' || micros;

    PERFORM pg_notify('video_status_events', json_build_object(
            'videoId', NEW.id,
            'version', NEW.status_version,
            'status', NEW.processing_status,
            'previousStatus', previous,
            'occurredAt', micros,
            'sig', encode(substring(sha256(pads.outer_pad || sha256(pads.inner_pad || convert_to(signed, 'UTF8')))
                                    FROM 1 FOR 16), 'hex'))::text);
    RETURN NULL;
END
$$;

-- AFTER DELETE: as in V3, plus the feed row and the position the tombstone keeps, so that an id created again
-- is recorded after its deletion.
CREATE OR REPLACE FUNCTION videos_record_deletion() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
DECLARE
    pos bigint := greatest(pg_current_xact_id()::text::bigint, OLD.feed_position);
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('video-events:' || OLD.id, 0));
    INSERT INTO video_tombstones (video_id, last_version, owner_id, feed_position)
    VALUES (OLD.id, OLD.status_version, OLD.owner_id, pos)
    ON CONFLICT (video_id) DO UPDATE SET last_version  = greatest(video_tombstones.last_version, excluded.last_version),
                                         owner_id      = excluded.owner_id,
                                         deleted_at    = excluded.deleted_at,
                                         feed_position = greatest(video_tombstones.feed_position, excluded.feed_position);
    INSERT INTO video_feed (position, video_id, change, audience, version, status, owner_id, occurred_at)
    VALUES (pos, OLD.id, 'deleted', OLD.owner_id, OLD.status_version, OLD.processing_status, OLD.owner_id, clock_timestamp());
    PERFORM pg_notify('video_status_events', json_build_object('kind', 'deleted', 'videoId', OLD.id)::text);
    RETURN NULL;
END
$$;

-- AFTER UPDATE OF owner_id: as in V3, plus the feed rows: the video leaves the old owner's feed (if it had an
-- owner) and enters the new owner's, with its state after the statement.
CREATE OR REPLACE FUNCTION videos_record_access_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
DECLARE
    at timestamptz := clock_timestamp();
BEGIN
    IF OLD.owner_id IS NOT NULL THEN
        INSERT INTO video_feed (position, video_id, change, audience, version, status, owner_id, previous_owner_id, occurred_at)
        VALUES (NEW.feed_position, NEW.id, 'left', OLD.owner_id, NEW.status_version, NEW.processing_status, NEW.owner_id,
                OLD.owner_id, at);
    END IF;
    INSERT INTO video_feed (position, video_id, change, audience, version, status, previous_status, owner_id, previous_owner_id,
                            occurred_at)
    VALUES (NEW.feed_position, NEW.id, 'entered', NEW.owner_id, NEW.status_version, NEW.processing_status,
            CASE WHEN OLD.processing_status IS DISTINCT FROM NEW.processing_status THEN OLD.processing_status END,
            NEW.owner_id, OLD.owner_id, at);
    PERFORM pg_notify('video_status_events', json_build_object('kind', 'access', 'videoId', NEW.id)::text);
    RETURN NULL;
END
$$;
