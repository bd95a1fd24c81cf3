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
# The tool's JVM compiles with C1 only (BENCH_JAVA_OPTS replaces that): with C2 its own compiler took up to half
# a core while its client code warmed up, always during the first service of a compare run (BENCHMARKS.md, Findings).
exec java ${BENCH_JAVA_OPTS:--XX:TieredStopAtLevel=1} -cp "target/test-classes:$(cat target/bench.classpath)" io.videoevents.bench.LoadTool "$@"
