#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker in KRaft mode (combined broker + controller) for
# development, tests and benchmarks. The jars come from Maven Central through kafka/pom.xml;
# nothing is downloaded from anywhere else.
#
# Listeners (all on 127.0.0.1; certificates and passwords from ops/local/tls.sh):
#   $KAFKA_PORT (9092)            PLAINTEXT
#   $KAFKA_SASL_SSL_PORT (9094)   SASL_SSL: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN, user "mailscore",
#                                 password in .local/tls/kafka.password
#   $KAFKA_SSL_PORT (9095)        SSL with ssl.client.auth=required (mTLS): a certificate signed by
#                                 .local/tls/ca.crt, e.g. .local/tls/client.crt
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
sasl_ssl_port="${KAFKA_SASL_SSL_PORT:-$((port + 2))}"
ssl_port="${KAFKA_SSL_PORT:-$((port + 3))}"
scram_user=mailscore
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
  local tls; tls="$("$here/tls.sh")"
  local password; password="$(cat "$tls/kafka.password")"
  # The file holds the PLAIN password: readable by this user only (older versions wrote it 0644).
  rm -f "$state/server.properties"
  (umask 077; cat >"$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port,SASL_SSL://127.0.0.1:$sasl_ssl_port,SSL://127.0.0.1:$ssl_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_SSL://127.0.0.1:$sasl_ssl_port,SSL://127.0.0.1:$ssl_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
# TLS for both secured listeners; Kafka 4 reads PEM directly (no JKS/PKCS12 step).
ssl.keystore.type=PEM
ssl.keystore.location=$tls/kafka-server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.crt
listener.name.ssl.ssl.client.auth=required
# SASL_SSL: SCRAM users live in the KRaft metadata (created at start, see ensure_scram_user);
# PLAIN's single user is declared here.
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$scram_user="$password";
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
  )
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

# SCRAM credentials are KRaft metadata: kafka-storage's --add-scram only works when formatting, so
# they are upserted through the Admin API on every start (idempotent; works on storage formatted
# by older versions of this script). Kafka 4's jars carry no ConfigCommand, hence a tiny Java
# source file run by the JDK's source launcher. The password goes over stdin, not argv.
ensure_scram_user() {
  local tls; tls="$("$here/tls.sh" path)"
  java_cmd "$here/kafka/ScramUser.java" "127.0.0.1:$port" "$scram_user" <"$tls/kafka.password" \
    || { log "could not create the SCRAM user $scram_user"; exit 1; }
  log "SCRAM-SHA-512/256 user $scram_user ready on SASL_SSL 127.0.0.1:$sasl_ssl_port; mTLS on 127.0.0.1:$ssl_port"
}

start() {
  if port_open "$port"; then
    log "a broker already answers on 127.0.0.1:$port"
    if port_open "$sasl_ssl_port"; then ensure_scram_user
    else log "it has no SASL_SSL listener on $sasl_ssl_port: restart it (kafka.sh stop; kafka.sh start) for the TLS listeners"; fi
    return
  fi
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
      log "broker is up"; ensure_scram_user; return
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
