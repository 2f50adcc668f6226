#!/usr/bin/env bash
# Brings up everything the pipeline talks to on this machine: PostgreSQL and Redis (the
# machine's own, started if down), the mailscore database, and Apache Kafka (ops/local/kafka.sh).
# The schema registry's distribution is resolved (ops/local/registry.sh resolve) but not started:
# the tests start registries of their own, and `ops/local/registry.sh start` runs one by hand.
# The secured endpoints, with certificates from ops/local/tls.sh:
#   PostgreSQL  TLS on its usual port (sslmode=verify-full&sslrootcert=.local/tls/ca.crt)
#   Redis       a second server, TLS only, on $REDIS_TLS_PORT (6380), password in .local/tls/redis.password
#   Kafka       SASL_SSL on 9094 and mTLS on 9095 (see kafka.sh)
#   ops/local/services.sh up | down
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state_root="${MAILSCORE_STATE_DIR:-$(cd "$here/../.." && pwd)/.local}"
redis_tls_port="${REDIS_TLS_PORT:-6380}"
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

# Points the server at the project's certificate and turns TLS on, by ALTER SYSTEM and a reload
# (no restart: open connections are untouched). The postgres user cannot read our state
# directory, so the pair is copied where it can, the key 0600 and owned by postgres.
postgres_tls() {
  local tls dest=/etc/postgresql-common/mailscore-tls changed=0
  tls="$("$here/tls.sh")"
  psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -tAq "$@"; }
  as_root install -d -o postgres -g postgres -m 0750 "$dest"
  if ! as_root cmp -s "$tls/server.crt" "$dest/server.crt" || ! as_root cmp -s "$tls/server.key" "$dest/server.key"; then
    as_root install -o postgres -g postgres -m 0644 "$tls/server.crt" "$dest/server.crt"
    as_root install -o postgres -g postgres -m 0600 "$tls/server.key" "$dest/server.key"
    changed=1
  fi
  if [[ "$(psql_admin -c "SELECT current_setting('ssl') || ' ' || current_setting('ssl_cert_file') || ' ' || current_setting('ssl_key_file')")" \
        != "on $dest/server.crt $dest/server.key" ]]; then
    psql_admin -c "ALTER SYSTEM SET ssl_cert_file = '$dest/server.crt'" -c "ALTER SYSTEM SET ssl_key_file = '$dest/server.key'" \
      -c "ALTER SYSTEM SET ssl = on"
    changed=1
  fi
  if [[ $changed == 1 ]]; then
    log "PostgreSQL: TLS with the project's certificate (reload)"
    psql_admin -c 'SELECT pg_reload_conf()' >/dev/null
  fi
  for _ in $(seq 1 20); do
    psql "host=127.0.0.1 user=postgres dbname=postgres sslmode=verify-full sslrootcert=$tls/ca.crt" -tAqc 'SELECT 1' >/dev/null 2>&1 && return
    sleep 0.25
  done
  log "PostgreSQL does not answer with sslmode=verify-full (see its log under /var/log/postgresql)"; exit 1
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

# A second Redis, TLS only, with a password. Ours alone (pid file in the state directory), so it
# may be restarted when it does not take the current certificate or password.
redis_tls_up() {
  local tls dir="$state_root/redis-tls"
  tls="$("$here/tls.sh")"
  mkdir -p "$dir"
  ping_tls() {
    REDISCLI_AUTH="$(cat "$tls/redis.password")" timeout 5 redis-cli --tls --cacert "$tls/ca.crt" -h 127.0.0.1 \
      -p "$redis_tls_port" ping 2>/dev/null | grep -q PONG
  }
  if port_open "$redis_tls_port"; then
    if ping_tls; then return; fi
    [[ -f "$dir/redis.pid" ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null ||
      { log "something other than our TLS Redis answers on 127.0.0.1:$redis_tls_port"; exit 1; }
    log "restarting the TLS Redis for the current certificate and password"
    redis_tls_down
  fi
  # The password goes in a file of our own rather than on the command line (ps shows argv).
  rm -f "$dir/redis.conf"
  (umask 077; cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port 0
tls-port $redis_tls_port
tls-cert-file $tls/server.crt
tls-key-file $tls/server.key
tls-ca-cert-file $tls/ca.crt
tls-auth-clients no
requirepass $(cat "$tls/redis.password")
save ""
appendonly no
daemonize yes
dir $dir
logfile $dir/redis.log
pidfile $dir/redis.pid
CONF
  )
  log "starting Redis with TLS on 127.0.0.1:$redis_tls_port"
  redis-server "$dir/redis.conf"
  for _ in $(seq 1 40); do ping_tls && return; sleep 0.25; done
  tail -20 "$dir/redis.log" >&2; log "the TLS Redis is not answering on 127.0.0.1:$redis_tls_port"; exit 1
}

redis_tls_down() {
  local pidfile="$state_root/redis-tls/redis.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -f "$pidfile"
}

tools_up() {
  # kcat is the librdkafka producer the compression tests publish with, as a non-JS MTA would.
  command -v kcat >/dev/null || apt_install kcat
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
}

case "${1:-up}" in
  up) tools_up; postgres_up; postgres_tls; redis_up; redis_tls_up; "$here/kafka.sh" start; "$here/registry.sh" resolve ;;
  down) redis_tls_down; "$here/registry.sh" stop; "$here/kafka.sh" stop ;;
  *) log "usage: services.sh up|down"; exit 2 ;;
esac
