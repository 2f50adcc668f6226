#!/usr/bin/env bash
# Installs the operations tools the ops checks run, from Debian's packages, when they are missing:
# Prometheus and promtool, the PostgreSQL and Redis exporters, kubectl (kustomize renders offline),
# Chromium (the ops check draws its dashboard preview with it).
# Nothing is started here; the checks start their own instances on free loopback ports.
#   ops/local/ops_tools.sh
set -euo pipefail
log() { printf 'ops_tools.sh: %s\n' "$*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

declare -A package_of=(
  [prometheus]=prometheus [promtool]=prometheus
  [prometheus-postgres-exporter]=prometheus-postgres-exporter
  [prometheus-redis-exporter]=prometheus-redis-exporter
  [kubectl]=kubectl
  [chromium]=chromium
)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${package_of[$tool]}")
done
if ((${#missing[@]} > 0)); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]} from Debian's packages"
  as_root apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
