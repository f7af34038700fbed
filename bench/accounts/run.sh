#!/usr/bin/env bash
# The accounts benchmarks (bench/accounts.md), one after another. Starts a
# throw-away PostgreSQL (scripts/postgres.sh) and redis-server
# (scripts/redis.sh) when DATABASE_URL / REDIS_URL are not set, and stops
# what it started. Run after building the packages:
#   pnpm -r --filter "./packages/**" run build && pnpm --filter @apojwt/bench run bench:accounts
#   pnpm --filter @apojwt/bench run bench:accounts login timing   # some of them
# Not a test: it reports and never fails on a figure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
started=()
cleanup() {
  for what in "${started[@]}"; do "stop_$what"; done
}
trap cleanup EXIT
if [ -z "${DATABASE_URL:-}" ]; then
  source "$root/scripts/postgres.sh"
  start_postgres
  started+=(postgres)
fi
if [ -z "${REDIS_URL:-}" ]; then
  source "$root/scripts/redis.sh"
  start_redis
  started+=(redis)
fi
[ "${1:-}" != "--" ] || shift # pnpm passes a "--" through
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(login timing sessions revocation)
for bench in "${benches[@]}"; do
  echo "=== accounts/$bench ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  node "$here/$bench.mjs"
done
