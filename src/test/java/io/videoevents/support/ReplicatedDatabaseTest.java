package io.videoevents.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.videoevents.support.ReplicatedDatabase.Server;

/**
 * The failover kit behaves as the failover tests need: a killed primary takes the commits the paused standby
 * missed, the promoted standby carries on from what it replayed on a higher timeline and hands out the lost
 * commits' transaction ids, sequence values and per-video versions again for other content; a switchover loses
 * nothing; the service proxy ends its connections when it is re-pointed.
 */
class ReplicatedDatabaseTest {

    /** What one committed worker statement got from the database. */
    private record Commit(String videoId, long xid, long version, String status) {
    }

    /** A row of the feed log. */
    private record FeedRow(long position, long seq, String videoId, String change, long version, String status) {
    }

    @Test
    void aKilledPrimaryLosesTheTailThePromotedStandbyNeverSawAndItsNumbersAreHandedOutAgain() throws Exception {
        try (ReplicatedDatabase database = ReplicatedDatabase.start()) {
            Server primary = database.primary();
            Server standby = database.standby();
            database.migrate();

            List<Commit> replicated = new ArrayList<>();
            try (WorkerSql worker = database.serviceWorker()) {
                for (int i = 1; i <= 10; i++) {
                    replicated.add(insert(worker.connection(), id(i)));
                }
            }
            database.awaitReplayed();
            // the schema and its signing key came by replication: nothing was run on the standby
            assertThat(standby.text("SELECT encode(key, 'hex') FROM video_events_signing_key"))
                    .isEqualTo(primary.text("SELECT encode(key, 'hex') FROM video_events_signing_key"));
            assertThat(standby.number("SELECT count(*) FROM flyway_schema_history WHERE success"))
                    .isEqualTo(migrationCount());
            assertThat(standby.systemIdentifier()).isEqualTo(primary.systemIdentifier());

            database.pauseReplication();
            List<Commit> lost = new ArrayList<>();
            try (WorkerSql worker = database.serviceWorker()) {
                lost.add(setStatus(worker.connection(), id(1), "processing"));
                lost.add(setStatus(worker.connection(), id(1), "processed"));
                for (int i = 11; i <= 58; i++) {
                    lost.add(insert(worker.connection(), id(i)));
                }
            }
            assertThat(lost).hasSize(50);
            List<FeedRow> lostFeed = feed(primary, "WHERE video_id > 'v-10' OR (video_id = 'v-01' AND version > 1)");
            assertThat(lostFeed).hasSize(50);
            String primaryEnd = primary.walPosition();
            assertThat(primary.timeline()).isEqualTo(1);
            assertThat(primary.writeTimeline()).isEqualTo(1);
            // the pause holds: the standby is still where it was
            assertThat(standby.number("SELECT count(*) FROM videos")).isEqualTo(10);
            assertThat(ReplicatedDatabase.lsn(standby.text("SELECT pg_last_wal_receive_lsn()")))
                    .isLessThan(ReplicatedDatabase.lsn(primaryEnd));

            try (Connection held = DriverManager.getConnection(database.serviceJdbcUrl(), "postgres", "postgres")) {
                database.killPrimary();
                assertThat(primary.isRunning()).isFalse();
                assertThat(primary.processCount()).isZero();
                assertThatThrownBy(() -> held.createStatement().execute("SELECT 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
            }

            Duration promotion = database.promoteStandby();
            database.repointTo(standby);
            assertThat(standby.inRecovery()).isFalse();
            System.out.printf("promotion took %d ms%n", promotion.toMillis());
            assertThat(standby.writeTimeline()).isEqualTo(2);
            // the new timeline starts where replay ended: below what the dead primary had written
            assertThat(ReplicatedDatabase.lsn(standby.walPosition())).isLessThan(ReplicatedDatabase.lsn(primaryEnd));
            // the promotion's checkpoint is spread (about 0.1 s per buffer it writes, over a hundred here): until it
            // completes, pg_control_checkpoint() still shows the old timeline
            assertThat(standby.timeline()).isEqualTo(1);
            standby.checkpoint();
            assertThat(standby.timeline()).isEqualTo(2);

            // exactly the replicated first batch, and v-01 as it was before the lost tail
            assertThat(standby.text("SELECT string_agg(id, ',' ORDER BY id) FROM videos"))
                    .isEqualTo(String.join(",", replicated.stream().map(Commit::videoId).toList()));
            assertThat(standby.text("SELECT processing_status || ' ' || status_version FROM videos WHERE id = 'v-01'"))
                    .isEqualTo("pending 1");

            Commit after;
            try (WorkerSql worker = database.serviceWorker()) {
                assertThat(serverPort(worker.connection())).isEqualTo(standby.port());
                after = setStatus(worker.connection(), id(1), "failed");
            }
            // version 2 of v-01 again, now for another status than the one the lost primary committed under it
            Commit lostVersion2 = lost.get(0);
            assertThat(after.version()).isEqualTo(lostVersion2.version()).isEqualTo(2);
            assertThat(after.status()).isEqualTo("failed").isNotEqualTo(lostVersion2.status());
            assertThat(standby.text("SELECT status FROM video_status_events WHERE video_id = 'v-01' AND version = 2"))
                    .isEqualTo("failed");

            // transaction ids continue from what was replayed: the lost tail's ids are handed out again
            long lastReplicatedXid = replicated.get(replicated.size() - 1).xid();
            long lastLostXid = lost.get(lost.size() - 1).xid();
            assertThat(after.xid()).isGreaterThan(lastReplicatedXid).isLessThanOrEqualTo(lastLostXid);
            assertThat(lost).extracting(Commit::xid).contains(after.xid());

            // the feed log's sequence and positions too: a seq, and a position, that named a lost change name another
            FeedRow newRow = feed(standby, "WHERE video_id = 'v-01' AND version = 2").get(0);
            assertThat(newRow.seq()).isGreaterThan(10).isLessThanOrEqualTo(lostFeed.get(lostFeed.size() - 1).seq());
            FeedRow lostSameSeq = lostFeed.stream().filter(row -> row.seq() == newRow.seq()).findFirst().orElseThrow();
            FeedRow lostSamePosition = lostFeed.stream().filter(row -> row.position() == newRow.position()).findFirst()
                    .orElseThrow();
            assertThat(lostSameSeq).isNotEqualTo(newRow);
            assertThat(lostSamePosition).isNotEqualTo(newRow);
            System.out.printf("after promotion: %s; the lost tail had %s under that seq and %s under that position%n",
                    newRow, lostSameSeq, lostSamePosition);
        }
    }

    @Test
    void aSwitchoverLosesNothingAndTheNumbersGoOn() throws Exception {
        try (ReplicatedDatabase database = ReplicatedDatabase.start()) {
            Server primary = database.primary();
            Server standby = database.standby();
            database.migrate();
            List<Commit> before = new ArrayList<>();
            try (WorkerSql worker = database.serviceWorker()) {
                for (int i = 1; i <= 10; i++) {
                    before.add(insert(worker.connection(), id(i)));
                }
                before.add(setStatus(worker.connection(), id(1), "processing"));
                // committed right before the switchover, with no wait for the standby
                for (int i = 11; i <= 60; i++) {
                    before.add(insert(worker.connection(), id(i)));
                }
            }
            List<FeedRow> feedBefore = feed(primary, "");
            long lastXid = before.stream().mapToLong(Commit::xid).max().orElseThrow();

            Duration promotion = database.switchover();
            database.repointTo(standby);
            System.out.printf("switchover promotion took %d ms%n", promotion.toMillis());

            assertThat(primary.isRunning()).isFalse();
            assertThat(standby.writeTimeline()).isEqualTo(2);
            standby.checkpoint();
            assertThat(standby.timeline()).isEqualTo(2);
            assertThat(standby.number("SELECT count(*) FROM videos")).isEqualTo(60);
            assertThat(feed(standby, "")).isEqualTo(feedBefore);

            Commit after;
            try (WorkerSql worker = database.serviceWorker()) {
                after = setStatus(worker.connection(), id(1), "processed");
            }
            assertThat(after.version()).isEqualTo(3);
            assertThat(after.xid()).isGreaterThan(lastXid);
            FeedRow newRow = feed(standby, "WHERE video_id = 'v-01' AND version = 3").get(0);
            assertThat(newRow.seq()).isGreaterThan(feedBefore.get(feedBefore.size() - 1).seq());
        }
    }

    @Test
    void replicationPausesAndResumesAndARepointedServiceProxyEndsItsConnections() throws Exception {
        Path directory;
        Server primary;
        Server standby;
        try (ReplicatedDatabase database = ReplicatedDatabase.start()) {
            directory = database.directory();
            primary = database.primary();
            standby = database.standby();
            try (WorkerSql worker = primary.worker()) {
                worker.update("CREATE TABLE marks (n int)");
            }
            database.awaitReplayed();

            database.pauseReplication();
            try (WorkerSql worker = primary.worker()) {
                worker.update("INSERT INTO marks VALUES (1)");
            }
            assertThat(standby.number("SELECT count(*) FROM marks")).isZero();
            database.resumeReplication();
            database.awaitReplayed();
            assertThat(standby.number("SELECT count(*) FROM marks")).isEqualTo(1);

            try (Connection toPrimary = DriverManager.getConnection(database.serviceJdbcUrl(), "postgres", "postgres")) {
                assertThat(serverPort(toPrimary)).isEqualTo(primary.port());
                database.repointTo(standby);
                assertThatThrownBy(() -> serverPort(toPrimary))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
            }
            try (Connection toStandby = DriverManager.getConnection(database.serviceJdbcUrl(), "postgres", "postgres")) {
                assertThat(serverPort(toStandby)).isEqualTo(standby.port());
                assertThat(database.serviceProxy().connections()).isEqualTo(1);
                database.repointTo(primary);
                assertThatThrownBy(() -> serverPort(toStandby)).isInstanceOf(SQLException.class);
                assertThat(database.serviceProxy().connections()).isZero();
            }
            assertThat(primary.processCount()).isPositive();
            assertThat(standby.processCount()).isPositive();
        }
        // nothing is left: no process, no directory
        assertThat(primary.processCount()).isZero();
        assertThat(standby.processCount()).isZero();
        assertThat(Files.exists(directory)).isFalse();
    }

    private static String id(int n) {
        return String.format("v-%02d", n);
    }

    private static Commit insert(Connection connection, String id) throws SQLException {
        return commit(connection, "INSERT INTO videos (id, raw_file_path) VALUES (?, '/uploads/' || ? || '.mp4')"
                + " RETURNING id, pg_current_xact_id()::text::bigint, status_version, processing_status", id, id);
    }

    private static Commit setStatus(Connection connection, String id, String status) throws SQLException {
        return commit(connection, "UPDATE videos SET processing_status = ? WHERE id = ?"
                + " RETURNING id, pg_current_xact_id()::text::bigint, status_version, processing_status", status, id);
    }

    private static Commit commit(Connection connection, String sql, String... arguments) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                statement.setString(i + 1, arguments[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).as(sql).isTrue();
                return new Commit(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getString(4));
            }
        }
    }

    private static List<FeedRow> feed(Server server, String where) throws SQLException {
        List<FeedRow> rows = new ArrayList<>();
        try (Connection connection = server.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT position, seq, video_id, change, version, status"
                        + " FROM video_feed " + where + " ORDER BY position, seq")) {
            while (result.next()) {
                rows.add(new FeedRow(result.getLong(1), result.getLong(2), result.getString(3), result.getString(4),
                        result.getLong(5), result.getString(6)));
            }
        }
        return rows;
    }

    private static int serverPort(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT inet_server_port()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** The versioned migrations the build ships, so the count follows every new one. */
    private static long migrationCount() throws Exception {
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            return files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
    }
}
