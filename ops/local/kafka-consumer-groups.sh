#!/usr/bin/env bash
# kafka-consumer-groups.sh of the Apache Kafka distribution, for this project. The broker's jars
# come from Maven Central (ops/local/kafka.sh), not as a distribution with its bin/ scripts, so this
# runs the class that script runs (ConsumerGroupCommand, in the kafka-tools artifact, which the
# broker does not depend on) on the broker's jars plus kafka-tools of the same version, resolved
# once from Maven Central. Arguments are the tool's own, e.g.
#
#   ops/local/kafka-consumer-groups.sh --bootstrap-server 127.0.0.1:9092 --describe --group G
#   ops/local/kafka-consumer-groups.sh --bootstrap-server 127.0.0.1:9094 --command-config client.properties --list
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${MAILSCORE_STATE_DIR:-$(cd "$here/../.." && pwd)/.local}/kafka"
libs="$state/libs"
tools="$state/tools-libs"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")"

log() { printf 'kafka-consumer-groups.sh: %s\n' "$*" >&2; }

command -v java >/dev/null || { log "Java 17+ is required (apt-get install openjdk-17-jre-headless)"; exit 1; }
if [[ ! -f "$libs/kafka_2.13-$version.jar" || ! -f "$tools/kafka-tools-$version.jar" ]]; then
  command -v mvn >/dev/null || { log "mvn is required to resolve Kafka from Maven Central (apt-get install maven)"; exit 1; }
fi
# Into a fresh directory first, then renamed: two callers resolving at once never see half a copy.
if [[ ! -f "$libs/kafka_2.13-$version.jar" ]]; then
  log "resolving Apache Kafka $version from Maven Central"
  mkdir -p "$state"
  tmp="$(mktemp -d "$state/libs.XXXXXX")"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
  rm -rf "$libs"; mv "$tmp" "$libs"
fi
if [[ ! -f "$tools/kafka-tools-$version.jar" ]]; then
  log "resolving kafka-tools $version from Maven Central"
  mkdir -p "$state"
  tmp="$(mktemp -d "$state/tools-libs.XXXXXX")"
  # Only the one jar: everything it needs to run ConsumerGroupCommand is among the broker's jars.
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy -Dartifact="org.apache.kafka:kafka-tools:$version" -DoutputDirectory="$tmp" >&2
  rm -rf "$tools"; mv "$tmp" "$tools"
fi
exec java -Xmx256m -Djava.awt.headless=true -cp "$libs/*:$tools/*" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
