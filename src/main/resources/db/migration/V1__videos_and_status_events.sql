-- The videos table keeps the columns workers already write; everything video-events adds has a
-- default, so a worker's plain INSERT / UPDATE keeps working and produces events.

CREATE TABLE videos (
    id                  text        PRIMARY KEY DEFAULT gen_random_uuid()::text
                                    CONSTRAINT videos_id_format CHECK (id ~ '^[A-Za-z0-9._:-]{1,200}$'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    raw_file_path       text        NOT NULL,
    processed_file_path text,
    processing_status   text        NOT NULL DEFAULT 'pending'
                                    CONSTRAINT videos_status_known
                                    CHECK (processing_status IN ('pending', 'processing', 'processed', 'failed')),
    -- version of the latest status event; 1 is the row's creation
    status_version      bigint      NOT NULL DEFAULT 1
);

CREATE INDEX videos_status_id ON videos (processing_status, id);

-- One row per committed status change. (video_id, version) is gap-free per video, so a client that
-- knows the last version it saw can be served exactly what it missed.
CREATE TABLE video_status_events (
    video_id        text        NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    version         bigint      NOT NULL,
    status          text        NOT NULL,
    previous_status text,
    occurred_at     timestamptz NOT NULL,
    PRIMARY KEY (video_id, version)
);

CREATE INDEX video_status_events_occurred_at ON video_status_events (occurred_at);

-- BEFORE: the version belongs to the database, not to whoever writes the row. A real status change
-- takes the next number; anything else keeps the current one, even if a writer tried to set it.
-- updated_at follows every update unless the writer set it.
CREATE FUNCTION videos_assign_status_version() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.status_version := 1;
        RETURN NEW;
    END IF;
    IF NEW.processing_status IS DISTINCT FROM OLD.processing_status THEN
        NEW.status_version := OLD.status_version + 1;
    ELSE
        NEW.status_version := OLD.status_version;
    END IF;
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER videos_assign_status_version
    BEFORE INSERT OR UPDATE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_assign_status_version();

-- AFTER: record the event and notify, inside the writer's transaction. A rollback undoes the log row
-- and PostgreSQL drops the notification, so only committed changes ever reach a listener.
-- The payload carries only the id (at most 200 chars by the CHECK above), numbers and two short
-- status words, so it stays a few hundred bytes whatever else the row holds.
CREATE FUNCTION videos_record_status_event() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    previous text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.processing_status END;
    at       timestamptz := clock_timestamp();
BEGIN
    INSERT INTO video_status_events (video_id, version, status, previous_status, occurred_at)
    VALUES (NEW.id, NEW.status_version, NEW.processing_status, previous, at);

    PERFORM pg_notify('video_status_events', json_build_object(
            'videoId', NEW.id,
            'version', NEW.status_version,
            'status', NEW.processing_status,
            'previousStatus', previous,
            'occurredAt', (extract(epoch FROM at) * 1000000)::bigint)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER videos_status_inserted
    AFTER INSERT ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_record_status_event();

CREATE TRIGGER videos_status_changed
    AFTER UPDATE OF processing_status ON videos
    FOR EACH ROW
    WHEN (OLD.processing_status IS DISTINCT FROM NEW.processing_status)
    EXECUTE FUNCTION videos_record_status_event();
