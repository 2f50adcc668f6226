#!/usr/bin/env bash
# `make demo`: the main job on the local services. Publishes a sample of the SpamAssassin corpus
# (plus two broken records) to fresh demo topics, runs the pipeline until every good event is in
# PostgreSQL, stops it gracefully and prints what landed. Each run starts clean (schema `demo`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
PATH="$(ops/local/node.sh):$PATH"
events="${DEMO_EVENTS:-6000}"
run="demo$(date +%s)"
export INPUT_TOPIC="$run.email.events" ALERT_TOPIC="$run.email.alerts" DLQ_TOPIC="$run.email.events.dlq"
export CONSUMER_GROUP="$run-scorer" PG_SCHEMA=demo REDIS_KEY_PREFIX="mailscore:demo:" KAFKAJS_NO_PARTITIONER_WARNING=1
export HTTP_PORT="${HTTP_PORT:-9464}" LOG_LEVEL="${LOG_LEVEL:-warn}"
db_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mailscore}"
brokers="${KAFKA_BROKERS:-127.0.0.1:9092}"
cli() { node --disable-warning=TimeoutNegativeWarning app/main.ts "$@"; }
rows() { psql "$db_url" -tAc "SELECT count(*) FROM demo.email_scores" 2>/dev/null || echo 0; }

psql "$db_url" -qc "DROP SCHEMA IF EXISTS demo CASCADE" >/dev/null
cli topics >/dev/null
cli migrate >/dev/null
printf 'domain %s\n' login-verify-account.example >"$root/.local/demo-intel.txt"
cli intel "$root/.local/demo-intel.txt" >/dev/null

echo "== publishing $events corpus emails and 2 broken records to $INPUT_TOPIC"
cli produce --corpus -n "$events" --tenants 5
printf 'not an EmailEvent\n' | kcat -P -b "$brokers" -t "$INPUT_TOPIC"
printf '\x0a\x00\x12\x03abc' | kcat -P -b "$brokers" -t "$INPUT_TOPIC"

echo "== running the pipeline (metrics on http://127.0.0.1:$HTTP_PORT/metrics)"
# Started directly, not through the cli function: $! must be node itself, so SIGTERM reaches it.
node --disable-warning=TimeoutNegativeWarning app/main.ts start >"$root/.local/demo-pipeline.log" 2>&1 &
pipeline=$!
trap 'kill $pipeline 2>/dev/null || true' EXIT
started=$(date +%s.%N)
for _ in $(seq 1 600); do
  [[ $(rows) -ge $events ]] && break
  kill -0 $pipeline 2>/dev/null || { tail -20 "$root/.local/demo-pipeline.log"; echo "pipeline exited early"; exit 1; }
  sleep 0.2
done
finished=$(date +%s.%N)
kill -TERM $pipeline; wait $pipeline || true
trap - EXIT

echo "== summary"
cli summary
awk -v n="$(rows)" -v a="$started" -v b="$finished" 'BEGIN { printf "end to end: %d emails in %.1f s from pipeline start (consumer group join included): %.0f emails/s\n", n, b - a, n / (b - a) }'
echo "dead letters (source partition@offset, code, reason):"
kcat -C -b "$brokers" -t "$DLQ_TOPIC" -o beginning -e -q -f '%h\n' 2>/dev/null \
  | sed -E 's/.*dlq.source.partition=([0-9]+).*dlq.source.offset=([0-9]+).*dlq.error.code=([A-Z_]+).*dlq.error.reason=([^,]*).*/  \1@\2: \3 (\4)/'
node -e "
const k=require('kafkajs');const a=new k.Kafka({brokers:'$brokers'.split(','),logLevel:0}).admin();
a.connect().then(()=>a.deleteTopics({topics:['$INPUT_TOPIC','$ALERT_TOPIC','$DLQ_TOPIC']})).catch(()=>{}).finally(()=>a.disconnect());" 2>/dev/null || true
