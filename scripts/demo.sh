#!/usr/bin/env bash
# The demo: installs pnpm and packages, builds, and runs the scripted walkthrough
# (embedded; with REDIS_URL set, three service processes sharing Redis: docs/demo.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm --filter @apojwt/examples run demo
