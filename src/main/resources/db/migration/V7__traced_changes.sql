-- A worker that wants its change traced says so in its transaction, with the W3C trace context of its own span:
--
--   SET LOCAL video_events.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
--
-- Every status change of that transaction then carries the traceparent in its notification, inside the signed
-- content (a forger cannot attach a trace to someone else's change), and the service continues that trace for
-- the change's deliveries. Anything that is not a well-formed traceparent is left out; without the setting the
-- payload and its signature are exactly what they were, and the only cost is reading the setting.
--
-- The function is V6's, with the traceparent added.
CREATE OR REPLACE FUNCTION videos_record_status_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
DECLARE
    previous text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.processing_status END;
    at       timestamptz := clock_timestamp();
    micros   bigint := (extract(epoch FROM at) * 1000000)::bigint;
    trace    text := nullif(current_setting('video_events.traceparent', true), '');
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

    IF trace IS NOT NULL AND trace !~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' THEN
        trace := NULL;
    END IF;

    SELECT inner_pad, outer_pad INTO pads FROM video_events_signing_key;
    signed := NEW.id || E'\n' || NEW.status_version || E'\n' || NEW.processing_status || E'\n'
                  || coalesce(previous, '') || E'\n' || micros
                  || CASE WHEN trace IS NULL THEN '' ELSE E'\n' || trace END;

    PERFORM pg_notify('video_status_events', CASE WHEN trace IS NULL THEN json_build_object(
            'videoId', NEW.id,
            'version', NEW.status_version,
            'status', NEW.processing_status,
            'previousStatus', previous,
            'occurredAt', micros,
            'sig', encode(substring(sha256(pads.outer_pad || sha256(pads.inner_pad || convert_to(signed, 'UTF8')))
                                    FROM 1 FOR 16), 'hex'))
        ELSE json_build_object(
            'videoId', NEW.id,
            'version', NEW.status_version,
            'status', NEW.processing_status,
            'previousStatus', previous,
            'occurredAt', micros,
            'traceparent', trace,
            'sig', encode(substring(sha256(pads.outer_pad || sha256(pads.inner_pad || convert_to(signed, 'UTF8')))
                                    FROM 1 FOR 16), 'hex'))
        END::text);
    RETURN NULL;
END
$$;
