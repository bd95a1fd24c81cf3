#!/usr/bin/env bash
# src/bench/signature-cost.sh [RATE] [SECONDS] (defaults 2000, 20): the signed notification's cost per status change:
# pgbench at RATE on a database up to V2 (no signature) and on a current one; the backends' CPU per change (/proc).
set -euo pipefail
cd "$(dirname "$0")/../.."
rate=${1:-2000}
seconds=${2:-20}
psql_=(psql -h 127.0.0.1 -U postgres -qAtX -v ON_ERROR_STOP=1)
migrations=src/main/resources/db/migration
work=$(mktemp -d)
trap 'for db in notify_cost_v2 notify_cost_now; do "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

backend_ticks() {
  # utime + stime of the given server processes (the backends serving pgbench's sessions)
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

cat >"$work/change.sql" <<'SQL'
\set id random(1, 1000)
UPDATE videos SET processing_status = CASE processing_status WHEN 'processing' THEN 'pending' ELSE 'processing' END WHERE id = 'cost-' || :id;
SQL

measure() {
  local db=$1 label=$2
  "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  for f in "${@:3}"; do "${psql_[@]}" -d "$db" -f "$f" >/dev/null; done
  "${psql_[@]}" -d "$db" -c "INSERT INTO videos (id, raw_file_path) SELECT 'cost-' || i, '/x' FROM generate_series(1, 1000) i"
  "${psql_[@]}" -d "$db" -c "CHECKPOINT" >/dev/null
  # pgbench runs 4 s longer than the window; the window opens once its 4 backends are up and closes
  # while they still are, so their CPU is read from /proc while they live (PostgreSQL on this machine
  # may serve other databases at the same time: only these backends count)
  pgbench -h 127.0.0.1 -U postgres -n -c 4 -j 2 -R "$rate" -T $((seconds + 4)) -f "$work/change.sql" "$db" \
    >"$work/$db.out" 2>&1 &
  local bench=$! pids=() hz t0 t1 n0 n1
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 50); do
    mapfile -t pids < <("${psql_[@]}" -d postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND application_name = 'pgbench'")
    [ "${#pids[@]}" -ge 4 ] && break
    sleep 0.1
  done
  sleep 1
  t0=$(backend_ticks "${pids[@]}"); n0=$("${psql_[@]}" -d "$db" -c "SELECT count(*) FROM video_status_events")
  sleep "$seconds"
  t1=$(backend_ticks "${pids[@]}"); n1=$("${psql_[@]}" -d "$db" -c "SELECT count(*) FROM video_status_events")
  wait "$bench"
  local latency
  latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/$db.out")
  awk -v label="$label" -v ticks=$((t1 - t0)) -v hz="$hz" -v n=$((n1 - n0)) -v s="$seconds" -v lat="$latency" 'BEGIN {
    printf "%-34s %6.0f changes/s  %6.1f µs of backend CPU per change  mean latency %s ms\n", label, n / s, ticks / hz * 1e6 / n, lat }'
}

echo "== $rate status changes/s for $seconds s, 4 clients, 1,000 videos"
measure notify_cost_v2 "without signature (schema V2)" "$migrations"/V1__*.sql "$migrations"/V2__*.sql
measure notify_cost_now "signed, with tombstones (current)" "$migrations"/V*.sql
