#!/usr/bin/env bash
# Brings up everything the pipeline talks to on this machine: PostgreSQL and Redis (the
# machine's own, started if down), the mailscore database, and Apache Kafka (ops/local/kafka.sh).
#   ops/local/services.sh up | down
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'services.sh: %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $* from Debian's packages"
  as_root apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

postgres_up() {
  if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
  if ! port_open 5432; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    for _ in $(seq 1 60); do port_open 5432 && break; sleep 0.5; done
  fi
  port_open 5432 || { log "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }
  local db="${MAILSCORE_DB:-mailscore}"
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    log "creating database $db"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$db\""
  fi
}

redis_up() {
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  if ! port_open 6379; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 40); do port_open 6379 && break; sleep 0.25; done
  fi
  port_open 6379 || { log "Redis is not answering on 127.0.0.1:6379"; exit 1; }
}

tools_up() {
  # kcat is the librdkafka producer the compression tests publish with, as a non-JS MTA would.
  command -v kcat >/dev/null || apt_install kcat
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
}

case "${1:-up}" in
  up) tools_up; postgres_up; redis_up; "$here/kafka.sh" start ;;
  down) "$here/kafka.sh" stop ;;
  *) log "usage: services.sh up|down"; exit 2 ;;
esac
