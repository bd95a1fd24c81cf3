#!/usr/bin/env bash
# Runs the load tool against a running video-events instance: src/bench/load.sh <scenario> [--option value ...]
# Scenarios, options and the measured figures: BENCHMARKS.md. Builds the tool first when its sources changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f target/bench.classpath ] || [ -n "$(find src/bench pom.xml -newer target/bench.classpath -type f | head -1)" ]; then
  ./mvnw -q -B -Pbench
fi
# each socket is a file descriptor: allow as many as the machine lets one process have
ulimit -n "$(ulimit -Hn)"
exec java ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:$(cat target/bench.classpath)" io.videoevents.bench.LoadTool "$@"
