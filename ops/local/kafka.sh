#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker in KRaft mode (combined broker + controller) for
# development, tests and benchmarks. The jars come from Maven Central through kafka/pom.xml;
# nothing is downloaded from anywhere else.
#
#   ops/local/kafka.sh start    resolve jars if needed, format storage once, start, wait until ready
#   ops/local/kafka.sh stop     stop the broker started by this script
#   ops/local/kafka.sh status   exit 0 when the broker answers on its port
#   ops/local/kafka.sh reset    stop and wipe the broker's data
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${MAILSCORE_STATE_DIR:-$(cd "$here/../.." && pwd)/.local}/kafka"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
heap="${KAFKA_HEAP:-768m}"
libs="$state/libs"
pidfile="$state/broker.pid"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

resolve_jars() {
  local version
  version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")"
  if [[ -f "$libs/kafka_2.13-$version.jar" ]]; then return; fi
  command -v mvn >/dev/null || { log "mvn is required to resolve Kafka from Maven Central (apt-get install maven)"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required to run Kafka (apt-get install openjdk-17-jre-headless)"; exit 1; }
  log "resolving Apache Kafka $version from Maven Central"
  rm -rf "$libs"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
}

write_config() {
  mkdir -p "$state/data"
  cat >"$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$state/data
num.partitions=4
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=268435456
# Raw RFC 5322 messages with attachments can exceed the 1 MiB default.
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
PROPS
  cat >"$state/log4j2.yaml" <<'YAML'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
      - name: kafka.server.BrokerServer
        level: INFO
YAML
}

java_args() {
  printf '%s\n' -Xms256m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true "-Dlog4j2.configurationFile=$state/log4j2.yaml" -cp "$libs/*"
}
java_cmd() { local args; mapfile -t args < <(java_args); java "${args[@]}" "$@"; }

start() {
  if port_open "$port"; then log "a broker already answers on 127.0.0.1:$port"; return; fi
  resolve_jars
  write_config
  if [[ ! -f "$state/data/meta.properties" ]]; then
    log "formatting KRaft storage in $state/data"
    java_cmd kafka.tools.StorageTool format -t "$(java_cmd kafka.tools.StorageTool random-uuid)" \
      -c "$state/server.properties" >"$state/format.log" 2>&1 || { cat "$state/format.log" >&2; exit 1; }
  fi
  log "starting broker on 127.0.0.1:$port (log: $state/broker.log)"
  local args; mapfile -t args < <(java_args)
  nohup java "${args[@]}" kafka.Kafka "$state/server.properties" >"$state/broker.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if port_open "$port" && grep -q 'Kafka Server started\|Transitioning from RECOVERY to RUNNING\|started (kafka.server' "$state/broker.log" 2>/dev/null; then
      log "broker is up"; return
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then tail -40 "$state/broker.log" >&2; log "broker exited during start-up"; exit 1; fi
    sleep 0.5
  done
  tail -40 "$state/broker.log" >&2; log "broker did not come up within 60 s"; exit 1
}

stop() {
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local pid; pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    log "broker stopped"
  fi
  rm -f "$pidfile"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) port_open "$port" ;;
  reset) stop; rm -rf "$state/data" ;;
  *) log "usage: kafka.sh start|stop|status|reset"; exit 2 ;;
esac
