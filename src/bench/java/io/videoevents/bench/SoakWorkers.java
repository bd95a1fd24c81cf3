package io.videoevents.bench;

import java.sql.*;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The soak's workers. */
final class SoakWorkers implements AutoCloseable {
    private static final String[] STATUSES = JdbcWorkers.STATUSES;
    private final JdbcWorkers sessions;
    private final String[] ids;
    private final int longVideos;
    private final int[] status;
    private final boolean[] exists;
    private Streams streams;

    /** What one run of the workers did. */
    record Done(long changes, long deletes, long creates, long ownerChanges, long failed, long unexpectedVersions, double seconds) {
    }

    SoakWorkers(String jdbcUrl, int writers, String[] ids, int longVideos) {
        this.ids = ids;
        this.longVideos = longVideos;
        this.status = new int[ids.length];
        this.exists = new boolean[ids.length];
        this.sessions = new JdbcWorkers(jdbcUrl, writers);
    }

    /** Creates the videos; the first {@code longVideos} get {@code history} versions each, in one transaction per video. */
    void create(int history) {
        Connection c = sessions.session(0);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO videos (id, raw_file_path, owner_id) "
                + "SELECT id, 's3://bench/' || id, 'owner-' || (abs(hashtext(id)) % 50) FROM unnest(?::text[]) id ON CONFLICT (id) DO NOTHING");
                Statement statement = c.createStatement()) {
            insert.setArray(1, c.createArrayOf("text", ids));
            insert.executeUpdate();
            for (int v = 0; v < Math.min(longVideos, ids.length); v++) {
                // each UPDATE of the loop makes the next version: pending → processing → processed → failed → pending …
                statement.execute("DO $$ DECLARE s text[] := ARRAY['processing','processed','failed','pending']; BEGIN "
                        + "FOR i IN 1.." + (history - 1) + " LOOP UPDATE videos SET processing_status = s[1 + (i - 1) % 4] "
                        + "WHERE id = '" + ids[v] + "'; END LOOP; END $$");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the videos: " + e.getMessage(), e);
        }
    }

    /** Reads where each video stands and starts a fresh {@link Streams} from there. */
    Streams begin() {
        long[] current = new long[ids.length];
        boolean[] found = sessions.read(ids, current, status);
        System.arraycopy(found, 0, exists, 0, ids.length);
        streams = new Streams(current, exists);
        return streams;
    }

    /** Runs the sessions for {@code seconds}. */
    Done run(int rate, int seconds, int deletesPerMinute, int ownerChangesPerMinute) {
        int writers = sessions.size();
        long startedAt = System.nanoTime();
        long endAt = startedAt + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong[] counts = new AtomicLong[6];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new AtomicLong();
        }
        double deleteShare = deletesPerMinute / 60.0 / rate;
        double ownerShare = ownerChangesPerMinute / 60.0 / rate;
        JdbcWorkers.inThreads(writers, "soak-worker-",
                writer -> session(writer, writers, rate, startedAt, endAt, deleteShare, ownerShare, counts));
        return new Done(counts[0].get(), counts[1].get(), counts[2].get(), counts[3].get(), counts[4].get(), counts[5].get(),
                (System.nanoTime() - startedAt) / 1e9);
    }

    private void session(int writer, int writers, int rate, long startedAt, long endAt, double deleteShare, double ownerShare,
            AtomicLong[] counts) {
        List<Integer> mine = new ArrayList<>();
        for (int v = writer; v < ids.length; v += writers) {
            mine.add(v);
        }
        if (mine.isEmpty()) {
            return;
        }
        Random random = new Random(writer * 7919L + System.nanoTime());
        // deleted videos of this session and when each is to be created again
        ArrayDeque<long[]> recreate = new ArrayDeque<>();
        Connection connection = sessions.session(writer);
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE videos SET processing_status = ? WHERE id = ? RETURNING status_version");
                PreparedStatement delete = connection.prepareStatement("DELETE FROM videos WHERE id = ? RETURNING status_version");
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, ?, ?) RETURNING status_version");
                PreparedStatement owner = connection.prepareStatement("UPDATE videos SET owner_id = ? WHERE id = ?")) {
            for (long n = writer;; n += writers) {
                if (!JdbcWorkers.awaitDue(startedAt + n * 1_000_000_000L / rate, endAt)) {
                    break;
                }
                try {
                    if (!recreate.isEmpty() && recreate.peek()[1] <= System.nanoTime()) {
                        create(insert, (int) recreate.poll()[0], random, counts);
                        continue;
                    }
                    int video = mine.get(random.nextInt(mine.size()));
                    if (!exists[video]) {
                        continue;
                    }
                    double roll = random.nextDouble();
                    if (roll < deleteShare && video >= longVideos) {
                        delete.setString(1, ids[video]);
                        try (ResultSet row = delete.executeQuery()) {
                            if (row.next()) {
                                exists[video] = false;
                                streams.deleted(video, row.getLong(1));
                                counts[1].incrementAndGet();
                                recreate.add(new long[] { video, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3000 + random.nextInt(7000)) });
                            }
                        }
                    } else if (roll < deleteShare + ownerShare) {
                        owner.setString(1, "owner-" + random.nextInt(50));
                        owner.setString(2, ids[video]);
                        owner.executeUpdate();
                        counts[3].incrementAndGet();
                    } else {
                        int next = (status[video] + 1) % STATUSES.length;
                        update.setString(1, STATUSES[next]);
                        update.setString(2, ids[video]);
                        try (ResultSet row = update.executeQuery()) {
                            if (row.next()) {
                                status[video] = next;
                                if (!streams.committed(video, row.getLong(1))) {
                                    counts[5].incrementAndGet();
                                }
                                counts[0].incrementAndGet();
                            } else {
                                counts[4].incrementAndGet();
                            }
                        }
                    }
                } catch (SQLException e) {
                    if (counts[4].incrementAndGet() <= 5) {
                        System.err.println("worker statement failed: " + e.getMessage());
                    }
                }
            }
            // every id deleted meanwhile exists again at the end
            while (!recreate.isEmpty()) {
                create(insert, (int) recreate.poll()[0], random, counts);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void create(PreparedStatement insert, int video, Random random, AtomicLong[] counts) throws SQLException {
        insert.setString(1, ids[video]);
        insert.setString(2, "s3://bench/" + ids[video]);
        insert.setString(3, "owner-" + random.nextInt(50));
        try (ResultSet row = insert.executeQuery()) {
            row.next();
            status[video] = 0;
            exists[video] = true;
            streams.created(video, row.getLong(1));
            counts[2].incrementAndGet();
        }
    }

    @Override
    public void close() {
        sessions.close();
    }

    /** Every version the workers committed, per video, as streams. */
    static final class Streams {

        /** One stream: versions first..last of one row; {@code deleted} once the row was deleted. */
        static final class Stream {
            final long first;
            long last;
            boolean deleted;

            Stream(long first) {
                this.first = first;
                this.last = first;
            }
        }

        private final List<List<Stream>> byVideo = new ArrayList<>();

        Streams(long[] current, boolean[] exists) {
            for (int v = 0; v < current.length; v++) {
                List<Stream> list = new ArrayList<>(1);
                if (exists[v]) {
                    list.add(new Stream(current[v]));
                }
                byVideo.add(list);
            }
        }

        /** A status change committed as {@code version}; false when it does not follow the video's last. */
        boolean committed(int video, long version) {
            List<Stream> list = byVideo.get(video);
            synchronized (list) {
                Stream s = list.get(list.size() - 1);
                boolean next = version == s.last + 1 && !s.deleted;
                s.last = Math.max(s.last, version);
                return next;
            }
        }

        void deleted(int video, long lastVersion) {
            List<Stream> list = byVideo.get(video);
            synchronized (list) {
                Stream s = list.get(list.size() - 1);
                s.last = Math.max(s.last, lastVersion);
                s.deleted = true;
            }
        }

        void created(int video, long firstVersion) {
            List<Stream> list = byVideo.get(video);
            synchronized (list) {
                list.add(new Stream(firstVersion));
            }
        }

        /** The stream holding {@code version} (the first known stream also holds everything below it), or null. */
        Stream of(int video, long version) {
            List<Stream> list = byVideo.get(video);
            synchronized (list) {
                for (int i = list.size() - 1; i >= 0; i--) {
                    Stream s = list.get(i);
                    if (version <= s.last && (version >= s.first || i == 0)) {
                        return s;
                    }
                }
                return null;
            }
        }

        /** The video's current stream (its row exists), or null. */
        Stream current(int video) {
            List<Stream> list = byVideo.get(video);
            synchronized (list) {
                Stream s = list.isEmpty() ? null : list.get(list.size() - 1);
                return s == null || s.deleted ? null : s;
            }
        }

        /** The last committed version of a stream, read under the video's guard. */
        long last(int video, Stream s) {
            synchronized (byVideo.get(video)) {
                return s.last;
            }
        }

        boolean deleted(int video, Stream s) {
            synchronized (byVideo.get(video)) {
                return s.deleted;
            }
        }
    }
}
