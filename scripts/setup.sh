#!/usr/bin/env bash
# Installs what the workspace needs on a machine that has only Node and npm:
# pnpm itself, the workspace's packages, and the built packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1; then
  echo "apojwt setup: installing pnpm"
  npm install --global --silent pnpm@12 >/dev/null
fi

echo "apojwt setup: installing packages"
pnpm install --frozen-lockfile --reporter=silent

echo "apojwt setup: building packages"
pnpm -r --filter "./packages/**" run build >/dev/null
