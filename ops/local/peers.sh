#!/usr/bin/env bash
# Installs the engines `make eval` compares against, from Debian's packages: SpamAssassin
# (spamd, spamc, sa-learn) and Rspamd. Their daemons are started by bench/eval on copied
# configuration, never from /etc.
set -euo pipefail
missing=()
command -v spamd >/dev/null || missing+=(spamassassin)
command -v spamc >/dev/null || missing+=(spamc)
command -v rspamd >/dev/null || missing+=(rspamd)
command -v redis-cli >/dev/null || missing+=(redis-tools)
if (( ${#missing[@]} > 0 )); then
  echo "peers.sh: installing ${missing[*]} from Debian's packages" >&2
  as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
