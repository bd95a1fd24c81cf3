package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.WorkerSql;

/**
 * The database holds the id rule itself (a worker's plain INSERT is checked too), the same rule as
 * {@link VideoIds}, in a form PostgreSQL checks cheaply on every UPDATE.
 */
@QuarkusTest
class IdRuleTest {

    @Test
    void theDatabaseAndTheServiceAgreeOnEveryId() {
        String unique = Ids.fresh("r").replaceAll("[^A-Za-z0-9]", "");
        List<String> candidates = List.of(
                "a", unique + "AZaz09._:-", unique + "x".repeat(200 - unique.length()), unique + "x".repeat(201 - unique.length()),
                "", unique + " x", unique + "/x", unique + "é", unique + "\nx", unique + "x\n", unique + "%", unique + "x$");
        try (WorkerSql worker = WorkerSql.connect()) {
            // the shortest id there is; no other test uses it
            worker.update("DELETE FROM videos WHERE id = 'a'");
            for (String id : candidates) {
                boolean stored = tryInsert(worker, id);
                assertThat(stored).as("database accepts %s", printable(id)).isEqualTo(VideoIds.isValid(id));
            }
        }
    }

    @Test
    void theRuleIsValidatedAndHasNoBoundedRepetition() throws SQLException {
        try (WorkerSql worker = WorkerSql.connect(); Statement query = worker.connection().createStatement();
                ResultSet row = query.executeQuery("SELECT convalidated, pg_get_constraintdef(oid) FROM pg_constraint"
                        + " WHERE conname = 'videos_id_format' AND conrelid = 'videos'::regclass")) {
            assertThat(row.next()).as("constraint videos_id_format exists").isTrue();
            assertThat(row.getBoolean(1)).as("validated").isTrue();
            // PostgreSQL expands {m,n} into an automaton that costs tens of microseconds per checked row,
            // and CHECK constraints are checked on every UPDATE, a worker's status change included
            assertThat(row.getString(2)).doesNotContain("{");
        }
    }

    private static boolean tryInsert(WorkerSql worker, String id) {
        try (var insert = worker.connection().prepareStatement("INSERT INTO videos (id, raw_file_path) VALUES (?, '/x')")) {
            insert.setString(1, id);
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            assertThat(e.getSQLState()).as("refused by the check constraint: %s", e.getMessage()).isEqualTo("23514");
            return false;
        }
    }

    private static String printable(String id) {
        return id.length() > 40 ? id.substring(0, 20) + "…(" + id.length() + " chars)" : id.replace("\n", "\\n");
    }
}
