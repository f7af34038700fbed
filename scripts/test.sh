#!/usr/bin/env bash
# Every test: installs pnpm and packages, builds, starts a real redis-server
# on a free port, runs the whole suite with Node's test runner, stops Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/redis.sh
trap stop_redis EXIT
start_redis
pnpm --filter @apojwt/test run test
