#!/usr/bin/env bash
# Every benchmark, peers in the same run, ratios printed (see bench/README.md).
# Not a test: it reports and never fails on a figure. Starts a throw-away
# redis-server for the Redis-backed cases and stops it after.
# Usage: npm run bench [-- core|microservices|adapters|credentials|exchange|api-keys|accounts ...]
# (accounts also starts a throw-away PostgreSQL: bench/accounts/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/redis.sh
trap stop_redis EXIT
start_redis
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(core microservices adapters credentials exchange api-keys accounts)
for suite in "${suites[@]}"; do
  echo "=== bench:$suite"
  pnpm --silent --filter @apojwt/bench run "bench:$suite"
done
