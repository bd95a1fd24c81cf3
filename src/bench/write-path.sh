#!/usr/bin/env bash
# src/bench/write-path.sh [ROUNDS] [SECONDS] (defaults 4, 8): a status change's cost to PostgreSQL with the current
# migrations, those up to V3 (or WRITE_PATH_BEFORE) and the Node bridge's schema.sql, if there; pgbench unthrottled
# (4 clients) on each throwaway database in turn, interleaved; the transactions/s of every run and their median.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-4}
seconds=${2:-8}
psql_=(psql -h 127.0.0.1 -U postgres -qAtX -v ON_ERROR_STOP=1)
migrations=src/main/resources/db/migration
bridge=../shared/peers/node-bridge/schema.sql
work=$(mktemp -d)
before=${WRITE_PATH_BEFORE:-3}
databases=(write_path_current "write_path_v$before")
trap 'for db in "${databases[@]}" write_path_bridge; do "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

cat >"$work/change.sql" <<'SQL'
\set id random(1, 1000)
UPDATE videos SET processing_status = CASE processing_status WHEN 'processing' THEN 'pending' ELSE 'processing' END WHERE id = 'cost-' || :id;
SQL

create() {
  local db=$1
  shift
  "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
  for f in "$@"; do "${psql_[@]}" -d "$db" -f "$f" >/dev/null 2>&1; done
  "${psql_[@]}" -d "$db" -c "INSERT INTO videos (id, raw_file_path) SELECT 'cost-' || i, '/x' FROM generate_series(1, 1000) i" \
    -c "CHECKPOINT" >/dev/null
}

create write_path_current $(ls "$migrations"/V*.sql | sort -V)
create "write_path_v$before" $(ls "$migrations"/V*.sql | sort -V | awk -F/ -v last="$before" '{split($NF, v, "__"); if (substr(v[1], 2) + 0 <= last) print}')
if [ -f "$bridge" ]; then
  create write_path_bridge "$bridge"
  databases+=(write_path_bridge)
fi

echo "== pgbench, 4 clients, unthrottled, ${seconds} s per run, $rounds rounds; transactions (status changes) per second"
for round in $(seq 1 "$rounds"); do
  for db in "${databases[@]}"; do
    tps=$(pgbench -h 127.0.0.1 -U postgres -n -c 4 -j 2 -T "$seconds" -f "$work/change.sql" "$db" 2>/dev/null \
      | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "$db $tps" >>"$work/results"
  done
done
for db in "${databases[@]}"; do
  grep "^$db " "$work/results" | awk '{print $2}' | sort -n | awk -v db="${db#write_path_}" '
    { v[NR] = $1; all = all sprintf(" %.0f", $1) }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%-8s median %6.0f /s   runs:%s\n", db, m, all }'
done
