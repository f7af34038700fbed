#!/usr/bin/env bash
# Formatting (Prettier, check only), lint (ESLint with type information) and import
# cycles (madge over every package's src/, type imports included). Every check runs;
# the script fails if any of them failed, naming which.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
check() {
  local name=$1
  shift
  echo "apojwt lint: $name"
  if ! "$@"; then failed+=("$name"); fi
}

check "prettier --check" pnpm exec prettier --check --log-level warn .
check "eslint" pnpm exec eslint --max-warnings 0 .
# The glob is expanded here on purpose: every package, including one added later.
check "import cycles" pnpm exec madge --circular --no-spinner packages/*/src

if [ ${#failed[@]} -gt 0 ]; then
  echo "apojwt lint: failed: ${failed[*]}" >&2
  exit 1
fi
