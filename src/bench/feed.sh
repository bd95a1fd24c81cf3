#!/usr/bin/env bash
# src/bench/feed.sh [ROUNDS]: the feed beside what it replaces, with load.sh on the packaged jar (lib.sh), 10,000
# videos (BENCHMARKS.md §13): snapshot (one feed, then ten at once), deliveries (1,000 single-video sockets against
# 10 feed sockets, same deliveries/s), firehose (single-video sockets beside two feeds in a second client process).
# One unmeasured pass of each case first; reports under target/bench/feed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. src/bench/lib.sh
rounds=${1:-3}
bench_setup target/bench/feed
start service
echo "service pid ${pid[service]}; machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); JVM options: ${jvm[*]}"

feeds() { load "$1" service idle --sockets "$2" --videos 10000 --multiplexed-share 1 --videos-per-socket 0 --hold 1; }
single() { load "$1" service load --sockets 1000 --videos 100 --multiplexed-share 1 --videos-per-socket 1 "${@:2}"; }
feed() { load "$1" service load --sockets 10 --videos 100 --multiplexed-share 1 --videos-per-socket 0 "${@:2}"; }
steps=(--rates 500,1000 --duration 15 --warmup 5)

feeds warmup-snapshot 1 # creates the 10,000 videos
single warmup-single --rates 500 --duration 5
feed warmup-feed --rates 500 --duration 5
for round in $(seq 1 "$rounds"); do
  feeds "snapshot-1-r$round" 1
  feeds "snapshot-10-r$round" 10
  if [ $((round % 2)) -eq 1 ]; then single "single-r$round" "${steps[@]}"; feed "feed-r$round" "${steps[@]}";
  else feed "feed-r$round" "${steps[@]}"; single "single-r$round" "${steps[@]}"; fi
  single "alone-r$round" --rates 2000 --duration 15 --warmup 5
  load "firehose-readers-r$round" service idle --sockets 2 --videos 10000 --multiplexed-share 1 --videos-per-socket 0 --hold 30 &
  readers=$!
  sleep 5
  single "beside-firehose-r$round" --rates 2000 --duration 15 --warmup 5
  wait "$readers"
done

echo "== snapshot of 10,000 videos (a feed is ready at its last page)"
grep -H '^sockets:' "$out"/snapshot-*.txt | sed "s|^$out/||"
echo "== deliveries: 1,000 single-video sockets against 10 feeds, 10 deliveries per change either way"
latency_rows "$out"/single-r*.txt "$out"/feed-r*.txt
grep -H '^deliveries:' "$out"/single-r*.txt "$out"/feed-r*.txt | sed "s|^$out/||"
echo "== 1,000 single-video sockets at 2,000 changes/s, alone and beside two firehose feeds"
latency_rows "$out"/alone-r*.txt "$out"/beside-firehose-r*.txt
echo "== the instance's reads of the feed log's new rows: $(curl -fs "http://127.0.0.1:${port[service]}/q/metrics" | grep '^video_events_feed_tail_reads_total')"
