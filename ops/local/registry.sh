#!/usr/bin/env bash
# Runs Apicurio Registry, a schema registry that serves the Confluent-compatible API that
# @kafkajs/confluent-schema-registry speaks, for development and tests. It comes from Maven
# Central as a ready-built Quarkus distribution; nothing is downloaded from anywhere else.
# Everything is kept in memory: a restart forgets every schema (producers register again).
#
#   $SCHEMA_REGISTRY_PORT (8081)             HTTP on 127.0.0.1; the Confluent API is at
#                                            /apis/ccompat/v7 (v6 on the 2.6.x fallback)
#   $SCHEMA_REGISTRY_MANAGEMENT_PORT (9001)  Quarkus management (health) on 127.0.0.1; it
#                                            listens on 0.0.0.0:9000 unless told otherwise
#
#   ops/local/registry.sh resolve  fetch and unpack the distribution for the Java found, once
#   ops/local/registry.sh start    resolve the distribution if needed, start, wait until ready
#   ops/local/registry.sh stop     stop the registry started by this script
#   ops/local/registry.sh status   exit 0 when the registry answers on its port
#   ops/local/registry.sh url      print the Confluent-compatible URL (what SCHEMA_REGISTRY_URL takes)
#
# Apicurio 3.x needs Java 21+: the newest JDK under /usr/lib/jvm is used (JAVA_HOME overrides).
# With only Java 17 it falls back to 2.6.x, whose runner jar runs there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${MAILSCORE_STATE_DIR:-$(cd "$here/../.." && pwd)/.local}/registry"
port="${SCHEMA_REGISTRY_PORT:-8081}"
management_port="${SCHEMA_REGISTRY_MANAGEMENT_PORT:-9001}"
heap="${SCHEMA_REGISTRY_HEAP:-256m}"
v3=3.3.3
v2=2.6.13.Final
pidfile="$state/registry.pid"

log() { printf 'registry.sh: %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The major version of a java binary ("17", "21", "25").
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

# Prints the java binary to use and the Apicurio version it can run.
pick_java() {
  local candidates=() best="" best_major=0 j m
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  for j in /usr/lib/jvm/*/bin/java; do candidates+=("$j"); done
  command -v java >/dev/null && candidates+=("$(command -v java)")
  for j in "${candidates[@]}"; do
    [[ -x "$j" ]] || continue
    m="$(java_major "$j")"
    [[ -n "$m" ]] || continue
    if (( m > best_major )); then best="$j"; best_major="$m"; fi
  done
  [[ -n "$best" ]] || { log "Java 17+ is required (apt-get install openjdk-17-jre-headless; Java 21+ for Apicurio 3)"; exit 1; }
  if (( best_major >= 21 )); then echo "$best $v3"; else echo "$best $v2"; fi
}

# Unpacks the distribution of `version` under $state/dist/<version> once.
resolve() {
  local version="$1" dist="$state/dist/$1"
  if [[ -f "$dist/.complete" ]]; then return; fi
  command -v mvn >/dev/null || { log "mvn is required to resolve Apicurio Registry from Maven Central (apt-get install maven)"; exit 1; }
  log "resolving Apicurio Registry $version from Maven Central (about 160 MB, once)"
  rm -rf "$dist"; mkdir -p "$dist"
  mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" \
    -DoutputDirectory="$dist" >&2
  tar -xzf "$dist"/apicurio-registry-app-*.tar.gz -C "$dist"
  rm -f "$dist"/apicurio-registry-app-*.tar.gz
  touch "$dist/.complete"
}

# The jar to run: quarkus-run.jar of the quarkus-app layout (3.x) or *-runner.jar (2.6.x), wherever the tarball put it.
runnable_jar() {
  local dist="$state/dist/$1" jar
  jar="$(find "$dist" -name quarkus-run.jar | head -1)"
  [[ -n "$jar" ]] || jar="$(find "$dist" -name '*-runner.jar' | head -1)"
  [[ -n "$jar" ]] || { log "no runnable jar found under $dist"; exit 1; }
  echo "$jar"
}

ccompat() { if [[ "$1" == 2.* ]]; then echo v6; else echo v7; fi; }

# Ready when the Confluent API answers (curl), or at least the port (no curl on the machine).
ready() {
  if command -v curl >/dev/null; then curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/apis/ccompat/$1/subjects" 2>/dev/null
  else port_open "$port"; fi
}

start() {
  local java version jar api
  read -r java version < <(pick_java) || exit 1
  api="$(ccompat "$version")"
  if port_open "$port"; then
    log "something already answers on 127.0.0.1:$port"
    ready "$api" || { log "but not as a schema registry at /apis/ccompat/$api"; exit 1; }
    return
  fi
  resolve "$version"
  jar="$(runnable_jar "$version")"
  log "starting Apicurio Registry $version on 127.0.0.1:$port with $java (log: $state/registry.log)"
  nohup "$java" "-Xmx$heap" -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$port" \
    -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=$management_port" \
    -jar "$jar" >"$state/registry.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 240); do
    if ready "$api"; then log "registry is up: http://127.0.0.1:$port/apis/ccompat/$api"; return; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then tail -40 "$state/registry.log" >&2; log "registry exited during start-up"; exit 1; fi
    sleep 0.25
  done
  tail -40 "$state/registry.log" >&2; log "registry did not come up within 60 s"; exit 1
}

stop() {
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local pid; pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    log "registry stopped"
  fi
  rm -f "$pidfile"
}

resolve_only() {
  local java version
  read -r java version < <(pick_java) || exit 1
  resolve "$version"
}

url() {
  local java version
  read -r java version < <(pick_java) || exit 1
  echo "http://127.0.0.1:$port/apis/ccompat/$(ccompat "$version")"
}

mkdir -p "$state"
case "${1:-start}" in
  resolve) resolve_only ;;
  start) start ;;
  stop) stop ;;
  status) port_open "$port" ;;
  url) url ;;
  *) log "usage: registry.sh resolve|start|stop|status|url"; exit 2 ;;
esac
