#!/usr/bin/env bash
# The demo: installs pnpm and packages, builds, and runs the scripted walkthrough.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm --filter @apojwt/examples run demo
