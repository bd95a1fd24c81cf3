#!/usr/bin/env bash
# The ingress *IT tests (nginx before 3 replicas of the packaged jar, no Docker) at full size, with their figures
# (BENCHMARKS.md §10). E.g. SOCKETS=1500 RATE=100 src/bench/ingress.sh; TESTS=LostInstanceIT for one scenario.
# The full log is kept in target/ingress-bench.log.
set -euo pipefail
cd "$(dirname "$0")/../.."

SOCKETS=${SOCKETS:-3000}
VIDEOS=${VIDEOS:-1000}
RATE=${RATE:-200}
DRAIN=${DRAIN:-10}
MAX_FAILS=${MAX_FAILS:-0,1}
IDLE_SOCKETS=${IDLE_SOCKETS:-1000}
IDLE_SECONDS=${IDLE_SECONDS:-180}
TESTS=${TESTS:-RollingRestartIT,LostInstanceIT,IdleThroughProxyIT}

./mvnw -B verify -Dit.test="$TESTS" -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dingress.sockets="$SOCKETS" -Dingress.videos="$VIDEOS" -Dingress.rate="$RATE" \
  -Dingress.drain-window="$DRAIN" -Dingress.max-fails="$MAX_FAILS" \
  -Dingress.idle.sockets="$IDLE_SOCKETS" -Dingress.idle.duration="$IDLE_SECONDS" \
  -Dingress.idle.read-timeout=60 -Dingress.idle.ping-interval=25 -Dingress.idle.pong-timeout=60 \
  "$@" > target/ingress-bench.log 2>&1 || status=$?
grep -E '^(rolling restart|  wave|  reconnects per|  failed connect|lost instance|  returns after|  +[0-9]+–|idle through)' \
  target/ingress-bench.log || true
grep -E 'Tests run:|BUILD' target/ingress-bench.log | tail -3
exit "${status:-0}"
