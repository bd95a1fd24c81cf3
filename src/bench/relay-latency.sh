#!/usr/bin/env bash
# src/bench/relay-latency.sh [ROUNDS] [RATES] [SOCKETS] [DURATION] (defaults 2, "200,1000", 2000, 15): commit → socket
# through the relays (nats mode) against a replica's own LISTEN: two relays, a listen replica and a nats replica of
# the packaged jar (lib.sh) and a nats-server of its own; load.sh drives one replica, then the other.
set -euo pipefail
cd "$(dirname "$0")/../.."
. src/bench/lib.sh
rounds=${1:-2}
rates=${2:-200,1000}
sockets=${3:-2000}
duration=${4:-15}
videos=200
bench_setup target/bench/relay-latency
hz=$(getconf CLK_TCK)
nats_port=$(free_port)
/usr/sbin/nats-server -a 127.0.0.1 -p "$nats_port" >"$out/nats.log" 2>&1 &
pids+=($!)
nats_pid=$!
nats=(VIDEO_EVENTS_FANOUT_NATS_URL="nats://127.0.0.1:$nats_port")
start relay-a "${nats[@]}" VIDEO_EVENTS_FANOUT_MODE=nats VIDEO_EVENTS_FANOUT_ROLE=relay
start relay-b "${nats[@]}" VIDEO_EVENTS_FANOUT_MODE=nats VIDEO_EVENTS_FANOUT_ROLE=relay
start listen
start nats "${nats[@]}" VIDEO_EVENTS_FANOUT_MODE=nats

echo "== relay-latency: $sockets sockets over $videos videos, rates $rates/s, ${duration} s per step, $rounds rounds"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); services: ${jvm[*]}"
echo "nats-server $(/usr/sbin/nats-server --version | awk '{print $2}') pid $nats_pid; relays ${pid[relay-a]} ${pid[relay-b]};" \
  "replicas: listen ${pid[listen]} (port ${port[listen]}), nats ${pid[nats]} (port ${port[nats]})"
: >"$out/summary"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then order=(listen nats); else order=(nats listen); fi
  for name in "${order[@]}"; do
    echo "--- round $r: $name (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    local_t0=$(date +%s.%N); tier0=$(ticks "${pid[relay-a]}" "${pid[relay-b]}" "$nats_pid"); other0=$(ticks "${pid[$([ "$name" = nats ] && echo listen || echo nats)]}")
    load "$name-r$r" "$name" load --sockets "$sockets" --videos "$videos" --rates "$rates" --duration "$duration" --warmup 10
    # the relays' and nats-server's CPU, and the idle replica's, over the whole run (connects included)
    tier=$(awk -v t0="$local_t0" -v t1="$(date +%s.%N)" -v a="$tier0" -v b="$(ticks "${pid[relay-a]}" "${pid[relay-b]}" "$nats_pid")" \
      -v c="$other0" -v d="$(ticks "${pid[$([ "$name" = nats ] && echo listen || echo nats)]}")" -v hz="$hz" \
      'BEGIN { printf "%.0f %.0f", (b - a) / hz / (t1 - t0) * 100, (d - c) / hz / (t1 - t0) * 100 }')
    sed -n '/^latency:/,/^deliveries:/p;/^RESULT/p' "$out/$name-r$r.txt"
    echo "relays + nats-server: ${tier% *} % CPU over the run; the other replica (no sockets): ${tier#* } %"
    # target/s, p50 and p99 (ack → received), p99 (sent → received), service CPU during the step
    awk -v name="$name" -v r="$r" -v tier="${tier% *}" '/^latency:/ { on = 1; next } /^deliveries:/ { on = 0 }
      on && $1 ~ /^[0-9,]+$/ { printf "%-6s %5d %8s %8s %8s %8s %11s %%  %9s %%\n", name, r, $1, $4, $6, $12, $15, tier }' \
      "$out/$name-r$r.txt" >>"$out/summary"
    grep -q '^RESULT: clean' "$out/$name-r$r.txt" || { echo "run $name-r$r was not clean" >&2; exit 1; }
  done
done
echo
echo "== summary: commit acknowledged → frame received, per replica (listen: its own LISTEN; nats: behind 2 relays)"
echo "   (service CPU: the driven replica during the step; tier CPU: both relays and nats-server over the whole run)"
printf '%-6s %5s %8s %8s %8s %8s %13s  %11s\n' replica round "target/s" "p50 ms" "p99 ms" "sent p99" "service CPU" "tier CPU"
sort -k3,3n -k1,1 -k2,2n "$out/summary"
