#!/usr/bin/env bash
# Every test: installs pnpm and packages, builds, checks formatting, lint and import
# cycles (scripts/lint.sh; APOJWT_LINT=0 leaves that out), starts a real redis-server
# and a throw-away PostgreSQL cluster on free ports (scripts/redis.sh,
# scripts/postgres.sh: each installed with apt-get when missing), runs the whole
# suite with Node's test runner, stops both.
# A lint failure does not hide the test results: the suite still runs, and the
# script fails afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

lint_failed=0
if [ "${APOJWT_LINT:-1}" != "0" ]; then
  bash scripts/lint.sh || lint_failed=1
fi

source scripts/redis.sh
source scripts/postgres.sh
trap 'stop_redis; stop_postgres' EXIT
start_redis
start_postgres
pnpm --filter @apojwt/test run test

if [ "$lint_failed" != "0" ]; then
  echo "apojwt test: the tests passed, but scripts/lint.sh failed (see above)" >&2
  exit 1
fi
