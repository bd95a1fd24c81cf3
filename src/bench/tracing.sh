#!/usr/bin/env bash
# src/bench/tracing.sh [ROUNDS] [RATES] (defaults 3, "1000,2000"): CPU per delivery with tracing off, on (exporting
# to a stand-in collector: nginx answering 200) and traced (every change carries a traceparent), the packaged jar
# (lib.sh) restarted per case under the same load.sh load; the cases' order turned round every round (BENCHMARKS.md §14).
set -euo pipefail
cd "$(dirname "$0")/../.."
. src/bench/lib.sh
rounds=${1:-3}
rates=${2:-1000,2000}
bench_setup target/bench/tracing
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); JVM options: ${jvm[*]}"
src/test/scripts/install-nginx.sh
collector=$(free_port)
mkdir -p "$out/collector/logs"
cat >"$out/collector/nginx.conf" <<CONF
daemon off;
pid collector.pid;
error_log logs/error.log;
events {}
http {
  log_format sizes '\$content_length';
  access_log logs/access.log sizes;
  client_body_temp_path body;
  server { listen 127.0.0.1:$collector; location / { return 200; } }
}
CONF
/usr/sbin/nginx -p "$(realpath "$out/collector")/" -c nginx.conf &
pids+=($!)
on=(QUARKUS_OTEL_SDK_DISABLED=false QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf
  QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$collector")
run() { # case, round
  local case=$1 round=$2
  case $case in
    off) start "$case" ;;
    *) start "$case" "${on[@]}" ;;
  esac
  [ "$case" = traced ] && export BENCH_JAVA_OPTS="-XX:TieredStopAtLevel=1 -Dbench.traceparent=true" || unset BENCH_JAVA_OPTS
  load "$case-r$round" "$case" load --sockets 1000 --videos 100 --multiplexed-share 0.5 --rates "$rates" --duration 15 --warmup 10
  unset BENCH_JAVA_OPTS
  stop "$case"
}
cases=(off on traced)
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order=("${cases[@]}"); else order=(traced on off); fi
  for c in "${order[@]}"; do run "$c" "$round"; done
done
echo "== span batches the collector took (requests, bytes of their bodies): $(awk '{ n++; b += $1 } END { print n + 0, b + 0 }' "$out/collector/logs/access.log")"
echo "== service CPU per delivery, tracing off / on / on with every change traced"
latency_rows "$out"/off-r*.txt "$out"/on-r*.txt "$out"/traced-r*.txt
grep -H '^deliveries:' "$out"/*-r*.txt | sed "s|^$out/||"
