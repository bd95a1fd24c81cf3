-- The id rule of V1 ("1 to 200 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'") written so that PostgreSQL
-- checks it cheaply. PostgreSQL evaluates a table's CHECK constraints on every UPDATE of a row, a worker's status
-- change included, and its regex engine expands the bounded repetition {1,200} into a large automaton: about
-- 28 µs per row here, a third of what a status change cost the database (pgbench, BENCHMARKS.md section 11).
-- The same rule as an unbounded class plus a length test costs under a microsecond.
--
-- The new constraint is added NOT VALID: rows already stored passed the identical V1 rule, and validating here
-- would scan the table under the lock that DROP CONSTRAINT takes, holding up every worker. V5 validates it in
-- its own transaction, under a lock that lets writes go on.
ALTER TABLE videos DROP CONSTRAINT videos_id_format;
ALTER TABLE videos ADD CONSTRAINT videos_id_format CHECK (id ~ '^[A-Za-z0-9._:-]+$' AND length(id) <= 200) NOT VALID;
