-- What a feed cursor needs to survive a failover that loses commits.
--
-- Since this version a cursor also names the last row of the reader's feed at or before its place (by place and
-- tag) and the server's timeline when it was read. After an asynchronous standby was promoted without the last
-- commits (a higher timeline), a reader that resumes finds another row there, or none, and starts over from a
-- snapshot. One case is left that the last row alone cannot tell: a transaction that was still running when the
-- standby stopped receiving and committed afterwards on the old primary wrote rows BEFORE later rows the standby
-- did get (its id, so its position, is lower). So each row records the oldest transaction still running when it
-- was written (horizon): everything below it had ended before this row's commit, and if this row survived the
-- failover, so did their rows. Only the ids from horizon up to the row's position can belong to such a late
-- transaction, and the new primary reports those it never saw commit as aborted; a reader from before the
-- promotion whose last row has one of them starts over too. The value comes from the server, in a BEFORE trigger
-- of the log, so the triggers of V6 and V7 stay as they are. Rows written before this version have none and are
-- checked by place and tag only.

ALTER TABLE video_feed ADD COLUMN horizon bigint;

CREATE FUNCTION video_feed_witness() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
BEGIN
    NEW.horizon := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
    RETURN NEW;
END
$$;

CREATE TRIGGER video_feed_witness
    BEFORE INSERT ON video_feed
    FOR EACH ROW EXECUTE FUNCTION video_feed_witness();
