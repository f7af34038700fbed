#!/usr/bin/env bash
# HS256 verify of this tree's @apojwt/core and of another commit's, in the same
# process and the same interleaved rounds (bench/core/verify.mjs with BEFORE_CORE).
# The other commit is built in a temporary git worktree outside the repository,
# removed afterwards.
# Usage: bash bench/core/before-after.sh [commit]
#   default f55911e: the last commit before the core was split into its engine parts.
#   ROUNDS / ROUND_MS as for verify.mjs.
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=${1:-f55911e}
dir=$(mktemp -d "${TMPDIR:-/tmp}/apojwt-before.XXXXXX")
cleanup() {
  git worktree remove --force "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
git worktree add --detach "$dir" "$commit" >/dev/null 2>&1
(cd "$dir" && pnpm install --frozen-lockfile --reporter=silent && pnpm --silent --filter @apojwt/core run build >/dev/null)
echo "before: $(git log -1 --format='%h %s' "$commit")"
BEFORE_CORE="$dir/packages/core/dist/index.js" node bench/core/verify.mjs
