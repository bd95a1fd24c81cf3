#!/usr/bin/env bash
# The feed measured beside what it replaces, with the same tool (load.sh) on one service: the packaged jar,
# started here with the JVM options the image ships (ShippedJvm), authentication off, on a throwaway
# database with 10,000 videos.
#
#   src/bench/feed.sh [ROUNDS]            (default 3; every round runs each case once, in turn)
#
#   snapshot   one feed of all 10,000 videos, alone, then ten at once: time until the last page (and so the
#              cost of one socket's snapshot next to 10,000 single-video subscriptions, which no one socket
#              could hold: 1,000 per socket)
#   deliveries the same deliveries/s both ways: 1,000 sockets each watching one of 100 videos (each change
#              goes to 10 sockets) against 10 feed sockets (each change goes to all 10); service CPU per
#              delivery, latency, allocation
#   firehose   1,000 single-video sockets at 2,000 changes/s, with and without two feeds of every video
#              read by a second client process: is anyone else late?
#
# Runs after a warm-up (one unmeasured pass of each case), prints the lines that matter and keeps every
# report under target/bench/feed. Stops by itself and drops its database.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
out=target/bench/feed
db=video_events_feed_bench
port=${PORT:-18089}
psql_=(psql -h 127.0.0.1 -U postgres -qAtX -v ON_ERROR_STOP=1)
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B package -DskipTests
[ -f target/bench.classpath ] || ./mvnw -q -B -Pbench
mkdir -p "$out"
"${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
service=
cleanup() {
  if [ -n "$service" ]; then kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; fi
  "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

jvm=$(java -cp "target/test-classes:$(cat target/bench.classpath)" io.videoevents.bench.ShippedJvm)
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$db" QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$db" \
QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres QUARKUS_HTTP_PORT=$port VIDEO_EVENTS_AUTH_ENABLED=false \
  java $jvm -jar target/quarkus-app/quarkus-run.jar >"$out/service.log" 2>&1 &
service=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 1; done
echo "service pid $service, JVM options: $jvm"

load() { # label, then load.sh arguments
  local label=$1
  shift
  src/bench/load.sh "$@" --service "http://127.0.0.1:$port" --database "postgresql://postgres@127.0.0.1:5432/$db" \
    --service-pid "$service" --out "$out" --label "$label" >"$out/$label.txt" 2>&1 || true
}
feeds() { load "$1" idle --sockets "$2" --videos 10000 --multiplexed-share 1 --videos-per-socket 0 --hold 1; }
single() { load "$1" load --sockets 1000 --videos 100 --multiplexed-share 1 --videos-per-socket 1 "${@:2}"; }
feed() { load "$1" load --sockets 10 --videos 100 --multiplexed-share 1 --videos-per-socket 0 "${@:2}"; }
steps=(--rates 500,1000 --duration 15 --warmup 5)

# warm-up: the 10,000 videos are created by the first pass; nothing of it is reported
feeds warmup-snapshot 1
single warmup-single --rates 500 --duration 5
feed warmup-feed --rates 500 --duration 5

for round in $(seq 1 "$rounds"); do
  feeds "snapshot-1-r$round" 1
  feeds "snapshot-10-r$round" 10
  # the two delivery cases in turn, the order reversed every other round
  if [ $((round % 2)) -eq 1 ]; then single "single-r$round" "${steps[@]}"; feed "feed-r$round" "${steps[@]}";
  else feed "feed-r$round" "${steps[@]}"; single "single-r$round" "${steps[@]}"; fi
  single "alone-r$round" --rates 2000 --duration 15 --warmup 5
  load "firehose-readers-r$round" idle --sockets 2 --videos 10000 --multiplexed-share 1 --videos-per-socket 0 --hold 30 &
  readers=$!
  sleep 5
  single "beside-firehose-r$round" --rates 2000 --duration 15 --warmup 5
  wait "$readers"
done

echo "== snapshot of 10,000 videos (sockets: ready in; a feed is ready at its last page)"
grep -H '^sockets:' "$out"/snapshot-*.txt | sed "s|^$out/||"
echo "== deliveries: 1,000 single-video sockets against 10 feeds, 10 deliveries per change either way"
grep -H -E '^ +[0-9,]+ +[0-9,]+ +[0-9,]+ ' "$out"/single-r*.txt "$out"/feed-r*.txt | sed "s|^$out/||"
grep -H '^deliveries:' "$out"/single-r*.txt "$out"/feed-r*.txt | sed "s|^$out/||"
echo "== 1,000 single-video sockets at 2,000 changes/s, alone and beside two firehose feeds"
grep -H -E '^ +[0-9,]+ +[0-9,]+ +[0-9,]+ ' "$out"/alone-r*.txt "$out"/beside-firehose-r*.txt | sed "s|^$out/||"
echo "== the instance's reads of the feed log's new rows: $(curl -fs "http://127.0.0.1:$port/q/metrics" | grep '^video_events_feed_tail_reads_total')"
