#!/usr/bin/env bash
# src/bench/notify-cost.sh [SECONDS] [ROUNDS] [COUNTS] (defaults 20, 2, "0 1 10 50"): notifying commits/s (pgbench,
# 4 clients) with N listeners (NotifyListeners.java) that must each get every notification; R+S is the relay tier:
# R listeners publishing to a nats-server of its own, S subscribers. Every other round in reverse (BENCHMARKS.md §11, §12).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
rounds=${2:-2}
read -r -a counts <<<"${3:-0 1 10 50}"
clients=4
videos=10000

db=notify_cost_$$
psql_=(psql -h 127.0.0.1 -U postgres -qAtX -v ON_ERROR_STOP=1)
listener_src=src/bench/java/io/videoevents/bench/NotifyListeners.java
driver=$(ls "$HOME"/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar 2>/dev/null | grep -v sources | sort -V | tail -1 || true)
[ -n "$driver" ] || { echo "no PostgreSQL JDBC driver under ~/.m2 (./mvnw dependency:resolve fetches it)" >&2; exit 1; }
# the listeners' source also names the NATS client (the relay points), so it compiles only with it
jnats=$(ls "$HOME"/.m2/repository/io/nats/jnats/*/jnats-*.jar 2>/dev/null | grep -v sources | sort -V | tail -1 || true)
[ -n "$jnats" ] || { echo "no NATS client (jnats) under ~/.m2 (./mvnw dependency:resolve fetches it)" >&2; exit 1; }

work=$(mktemp -d)
listener_pid=
nats_pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$listener_pid" ]; then kill "$listener_pid" 2>/dev/null || true; wait "$listener_pid" 2>/dev/null || true; fi
  if [ -n "$nats_pid" ]; then kill "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; fi
  "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# /proc/stat: busy (everything but idle and iowait) and total ticks of the whole machine
machine_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }
# utime + stime of one process (0 when gone)
pid_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# utime + stime of every process of the PostgreSQL server, plus those of its ended children (a pgbench
# session's backend has exited by the time it is read); all databases, so other work is included
server_ticks() {
  local total=0 pid
  for pid in $(pgrep -u postgres postgres || true); do
    total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
events() { "${psql_[@]}" -d "$db" -c "SELECT count(*) FROM video_status_events"; }

hz=$(getconf CLK_TCK)
max_listeners=0
relay_points=0
for n in "${counts[@]}"; do
  [ "${n%+*}" -gt "$max_listeners" ] && max_listeners=${n%+*}
  [[ $n == *+* ]] && relay_points=1
done
if [ "$relay_points" = 1 ]; then
  [ -x /usr/sbin/nats-server ] || { echo "the relay points need /usr/sbin/nats-server (apt-get install nats-server)" >&2; exit 1; }
  nats_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  /usr/sbin/nats-server -a 127.0.0.1 -p "$nats_port" >"$work/nats.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 1 50); do (echo >"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && break; sleep 0.1; done
  echo "nats-server $(/usr/sbin/nats-server --version | awk '{print $2}') on 127.0.0.1:$nats_port (pid $nats_pid)"
fi
free=$("${psql_[@]}" -d postgres -c "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int - count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
if [ "$free" -lt $((max_listeners + clients + 2)) ]; then
  echo "PostgreSQL has $free free connections; $((max_listeners + clients + 2)) are needed" >&2
  exit 1
fi

echo "== database $db: migrations, $videos videos"
"${psql_[@]}" -d postgres -c "CREATE DATABASE $db"
for f in src/main/resources/db/migration/V*.sql; do
  # each migration in one transaction, as Flyway applies it
  "${psql_[@]}" -1 -d "$db" -f "$f" >/dev/null
  echo "applied $(basename "$f")"
done
"${psql_[@]}" -d "$db" -c "INSERT INTO videos (id, raw_file_path) SELECT 'nc-' || i, '/uploads/nc-' || i || '.mp4' FROM generate_series(1, $videos) i"
"${psql_[@]}" -d "$db" -c "VACUUM ANALYZE"

cat >"$work/change.sql" <<SQL
\set id random(1, $videos)
UPDATE videos SET processing_status = CASE processing_status WHEN 'processing' THEN 'processed' ELSE 'processing' END WHERE id = 'nc-' || :id;
SQL

echo "== $clients pgbench clients, $seconds s per point, listener counts: ${counts[*]}, $rounds rounds"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(psql -h 127.0.0.1 -U postgres -AtX -c 'SELECT version()' | cut -d, -f1); driver $(basename "$driver"); $(java -version 2>&1 | head -1)"
results=()

point() {
  local round=$1 n=$2
  # R+S: R relaying listeners and S NATS subscribers; a plain number: that many listeners
  local listeners=${n%+*} subscribers=0 nats_args=() cp="$driver:$jnats"
  if [[ $n == *+* ]]; then subscribers=${n#*+}; nats_args=("nats://127.0.0.1:$nats_port" "$subscribers"); fi
  # others: the machine's load with nothing of this point running, over 2 s
  local m0 m1 others
  m0=$(machine_ticks); sleep 2; m1=$(machine_ticks)
  others=$(awk -v a="$m0" -v b="$m1" -v cpus="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", (y[1] - x[1]) / (y[2] - x[2]) * cpus * 100 }')

  listener_pid=
  if [ "$listeners" -gt 0 ]; then
    rm -f "$work/ctl" "$work/listeners.out"
    mkfifo "$work/ctl"
    java -XX:+UseSerialGC -Xss256k -cp "$cp" "$listener_src" "jdbc:postgresql://127.0.0.1:5432/$db?user=postgres" "$listeners" $((seconds + 120)) \
      "${nats_args[@]}" <"$work/ctl" >"$work/listeners.out" 2>&1 &
    listener_pid=$!
    exec 3>"$work/ctl"
    local waited=0
    until grep -q '^listening' "$work/listeners.out" 2>/dev/null; do
      if ! kill -0 "$listener_pid" 2>/dev/null || [ $waited -ge 600 ]; then
        echo "listeners did not start:" >&2; cat "$work/listeners.out" >&2; exit 1
      fi
      sleep 0.1; waited=$((waited + 1))
    done
  fi
  "${psql_[@]}" -d "$db" -c "CHECKPOINT"

  local before_events after_events l0=0 l1=0 n0=0 n1=0 s0 s1 out tps latency processed
  before_events=$(events)
  m0=$(machine_ticks); s0=$(server_ticks)
  [ -n "$listener_pid" ] && l0=$(pid_ticks "$listener_pid")
  [ -n "$nats_pid" ] && n0=$(pid_ticks "$nats_pid")
  # pgbench's own CPU (user and system seconds) from bash's time
  local TIMEFORMAT='%U %S' bench_cpu
  bench_cpu=$( { time timeout $((seconds + 60)) pgbench -h 127.0.0.1 -U postgres -n -c "$clients" -j 2 -T "$seconds" \
      -f "$work/change.sql" "$db" >"$work/pgbench.out" 2>&1; } 2>&1 | tail -1)
  out=$(cat "$work/pgbench.out")
  m1=$(machine_ticks); s1=$(server_ticks)
  [ -n "$listener_pid" ] && l1=$(pid_ticks "$listener_pid")
  [ -n "$nats_pid" ] && n1=$(pid_ticks "$nats_pid")
  echo "--- round $round, $n listeners: pgbench"
  grep -E '^(number of transactions actually processed|number of failed transactions|latency average|tps)' <<<"$out" || true

  local received="-" relayed="-"
  if [ -n "$listener_pid" ]; then
    echo stop >&3; exec 3>&-
    wait "$listener_pid" || { echo "listeners failed:" >&2; cat "$work/listeners.out" >&2; exit 1; }
    listener_pid=
    received=$(sed -n 's/^received \([0-9]*\) \([0-9]*\) .*/\1..\2/p' "$work/listeners.out")
    relayed=$(sed -n 's/^relayed \([0-9]*\) \([0-9]*\) .*/\1..\2/p' "$work/listeners.out")
    [ -n "$relayed" ] || relayed="-"
  fi
  after_events=$(events)

  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
  latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
  processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  local notified=$((after_events - before_events))
  local line
  line=$(awk -v r="$round" -v n="$n" -v tps="$tps" -v lat="$latency" -v done="$processed" -v notified="$notified" -v recv="$received" \
      -v relayed="$relayed" -v m0="$m0" -v m1="$m1" -v s="$((s1 - s0))" -v l="$((l1 - l0))" -v ns="$((n1 - n0))" -v hz="$hz" \
      -v cpus="$(nproc)" -v others="$others" -v bench="$bench_cpu" 'BEGIN {
    split(m0, x, " "); split(m1, y, " "); elapsed = (y[2] - x[2]) / cpus / hz
    machine = (y[1] - x[1]) / (y[2] - x[2]) * cpus * 100
    split(bench, p, " "); server = s / hz / elapsed * 100; listeners = l / hz / elapsed * 100; pgbench = (p[1] + p[2]) / elapsed * 100
    nats = ns / hz / elapsed * 100
    printf "%5d  %9s  %9.0f  %10.2f  %9d  %9d  %17s  %17s  %12.0f  %8.0f  %11.0f  %14.0f  %9.0f  %11.0f  %14.0f\n",
      r, n, tps, lat, done, notified, recv, relayed, machine, others, server, listeners, nats, pgbench,
      machine - server - listeners - nats - pgbench }')
  results+=("$line")
  echo "$line"
  if [ "$received" != "-" ] && [ "${received%%..*}" != "$notified" ]; then
    echo "a listener received ${received%%..*} of $notified notifications" >&2
    exit 1
  fi
  if [ "$relayed" != "-" ] && [ "${relayed%%..*}" != "$((notified * listeners))" ]; then
    echo "a NATS subscriber received ${relayed%%..*} of $((notified * listeners)) messages ($listeners relays × $notified)" >&2
    exit 1
  fi
}

header="round  listeners  commits/s  latency ms  processed  notified  received/listener  relayed/replica  machine CPU%  others%  server CPU%  listeners CPU%  nats CPU%  pgbench CPU%  others during%"
echo "$header"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then order=("${counts[@]}"); else order=(); for ((i = ${#counts[@]} - 1; i >= 0; i--)); do order+=("${counts[i]}"); done; fi
  for n in "${order[@]}"; do
    point "$r" "$n"
  done
done

echo
echo "== results (CPU: one core = 100 %, the machine has $(nproc); others% = the machine's load in the 2 s before the point;"
echo "   server CPU% = every PostgreSQL process, other databases' work included; listeners CPU% = the listeners' process,"
echo "   with R+S the relays and every NATS subscriber; nats CPU% = nats-server; others during% = the machine's"
echo "   load during the point less the server, the listeners, nats-server and pgbench: other work that was running)"
echo "$header"
printf '%s\n' "${results[@]}"
echo
echo "commits/s per listener count (every run, then the mean):"
printf '%s\n' "${results[@]}" | awk '{ tps[$2] = tps[$2] (tps[$2] == "" ? "" : ", ") $3; sum[$2] += $3; k[$2]++ }
  END { for (n in tps) printf "%9s  %-30s mean %6.0f\n", n, tps[n], sum[n] / k[n] }' | sort -n
echo "== dropping $db"
