# Shared by feed.sh, tracing.sh, relay-latency.sh: `bench_setup OUT`, then `start NAME [VAR=value ...]` per process,
# `load LABEL NAME ARGS...` to drive one with the load tool; everything stopped and the database dropped on exit.
# Sets out, db, port[NAME], pid[NAME] and jvm (the image's JVM options, from ShippedJvm).
psql_=(psql -h 127.0.0.1 -U postgres -qAtX -v ON_ERROR_STOP=1)
pids=()
declare -A port pid

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${db:-}" ] && "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# utime + stime of processes, in clock ticks
ticks() { local total=0 p; for p in "$@"; do total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$total"; }

# bench_setup OUT: builds what is missing, a fresh database, and the cleanup on exit
bench_setup() {
  out=$1
  db=bench_$$
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  [ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B package -DskipTests
  if [ ! -f target/bench.classpath ] || [ -n "$(find src/bench pom.xml -newer target/bench.classpath -type f | head -1)" ]; then
    ./mvnw -q -B -Pbench
  fi
  mkdir -p "$out"
  ulimit -n "$(ulimit -Hn)"
  read -r -a jvm <<<"$(java -cp "target/test-classes:$(cat target/bench.classpath)" io.videoevents.bench.ShippedJvm)"
  "${psql_[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
}

# start NAME [VAR=value ...]: the packaged jar with the image's JVM options, authentication off, on the database;
# returns once it is ready. Start them one at a time: Flyway migrates once, the others find it done.
start() {
  local name=$1
  shift
  port[$name]=$(free_port)
  env QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$db" \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$db" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres VIDEO_EVENTS_AUTH_ENABLED=false "$@" \
    java "${jvm[@]}" -Dquarkus.http.port="${port[$name]}" -jar target/quarkus-app/quarkus-run.jar >"$out/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=($!)
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port[$name]}/q/health/ready")" = 200 ] && return 0
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not become ready; see $out/$name.log" >&2
  exit 1
}

# stop NAME: ends one started process
stop() {
  kill "${pid[$1]}" 2>/dev/null || true
  wait "${pid[$1]}" 2>/dev/null || true
}

# load LABEL NAME ARGS...: the load tool against process NAME; its report in $out/LABEL.txt (and .json)
load() {
  local label=$1 name=$2
  shift 2
  src/bench/load.sh "$@" --service "http://127.0.0.1:${port[$name]}" --database "postgresql://postgres@127.0.0.1:5432/$db" \
    --service-pid "${pid[$name]}" --out "$out" --label "$label" >"$out/$label.txt" 2>&1 || true
}

# the rows of the latency tables of reports, each prefixed with its file's label
latency_rows() { for f in "$@"; do awk -v l="$(basename "$f" .txt)" '/^latency:/ { on = 1; next } /^deliveries:/ { on = 0 } on && $1 ~ /^[0-9,]+$/ { print l ": " $0 }' "$f"; done; }
