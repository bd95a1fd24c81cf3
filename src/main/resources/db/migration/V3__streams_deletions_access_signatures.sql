-- The stream of a video id is what its event log says, whatever happens to the row:
--  * a DELETE is announced, and the id remembers its last version (a tombstone);
--  * an id created again continues above that version, with a hole, so no client can take the new
--    row's events for a continuation of the old row's, and a resume from the old row cannot be served
--    from the log (it gets a fresh snapshot);
--  * an owner change is announced, so subscribers who may no longer watch are cut off;
--  * every status notification is signed with a key only the trigger's owner can read, so a NOTIFY
--    sent by anyone else on the channel is recognised and never reaches a client.
-- Deletion and owner notifications carry no content: they only make the service read the row again.

-- One row per id that was ever deleted; kept for good (a few dozen bytes each), since a resume may come
-- back at any time with a version of the deleted row. The owner at the deletion tells who may still be
-- sent the deleted row's last versions (its log went with it).
CREATE TABLE video_tombstones (
    video_id     text        PRIMARY KEY,
    last_version bigint      NOT NULL,
    owner_id     text,
    deleted_at   timestamptz NOT NULL DEFAULT now()
);

-- The key status notifications are signed with (HMAC-SHA256, truncated to 128 bits). Only the owner of
-- the schema reads it; the trigger functions below run as that owner. The pads are the key XORed with
-- HMAC's inner and outer constants, stored so the trigger only has to hash.
CREATE TABLE video_events_signing_key (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT video_events_signing_key_one CHECK (singleton),
    key       bytea   NOT NULL,
    inner_pad bytea   NOT NULL,
    outer_pad bytea   NOT NULL
);
REVOKE ALL ON video_events_signing_key FROM PUBLIC;

DO
$$
DECLARE
    -- 32 bytes from two random UUIDs (gen_random_uuid is core PostgreSQL and uses a strong source);
    -- the version nibbles make 244 of the 256 bits random
    k     bytea := decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');
    block bytea := k || decode(repeat('00', 32), 'hex');
    ipad  bytea := block;
    opad  bytea := block;
BEGIN
    FOR i IN 0..63 LOOP
        ipad := set_byte(ipad, i, get_byte(block, i) # 54);  -- 0x36
        opad := set_byte(opad, i, get_byte(block, i) # 92);  -- 0x5c
    END LOOP;
    INSERT INTO video_events_signing_key (key, inner_pad, outer_pad) VALUES (k, ipad, opad);
END
$$;

-- BEFORE INSERT / UPDATE: as in V1, plus a created-again id starts two above its tombstone. The
-- advisory lock (also taken by the DELETE trigger) makes an INSERT wait for a concurrent DELETE of the
-- same id to finish, so it reads the tombstone that DELETE wrote.
CREATE OR REPLACE FUNCTION videos_assign_status_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('video-events:' || NEW.id, 0));
        NEW.status_version := coalesce((SELECT t.last_version + 2 FROM video_tombstones t WHERE t.video_id = NEW.id), 1);
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

-- AFTER INSERT / status UPDATE: as in V1, plus the signature over the payload's content:
-- videoId, version, status, previousStatus ('' for none) and occurredAt (µs), one per line.
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

-- AFTER DELETE: the tombstone, then the announcement. The log rows go with the row (ON DELETE CASCADE).
CREATE FUNCTION videos_record_deletion() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('video-events:' || OLD.id, 0));
    INSERT INTO video_tombstones (video_id, last_version, owner_id) VALUES (OLD.id, OLD.status_version, OLD.owner_id)
    ON CONFLICT (video_id) DO UPDATE SET last_version = greatest(video_tombstones.last_version, excluded.last_version),
                                         owner_id     = excluded.owner_id,
                                         deleted_at   = excluded.deleted_at;
    PERFORM pg_notify('video_status_events', json_build_object('kind', 'deleted', 'videoId', OLD.id)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER videos_deleted
    AFTER DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_record_deletion();

-- AFTER UPDATE OF owner_id: the announcement. Named to sort before videos_status_changed, so that when one
-- statement changes both, the owner change is announced first and no subscriber who lost access gets
-- the status change.
CREATE FUNCTION videos_record_access_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
BEGIN
    PERFORM pg_notify('video_status_events', json_build_object('kind', 'access', 'videoId', NEW.id)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER videos_access_changed
    AFTER UPDATE OF owner_id ON videos
    FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION videos_record_access_change();
