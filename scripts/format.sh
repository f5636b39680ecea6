#!/usr/bin/env bash
# The project's formatters: prettier for TypeScript and JavaScript, clang-format
# for the C in native/. `scripts/format.sh` rewrites; `scripts/format.sh --check`
# (run by `npm run lint`) fails on any file they would change.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t cfiles < <(git ls-files --cached --others --exclude-standard 'native/*.c' 'native/*.h' 'native/**/*.c' 'native/**/*.h' | sort -u)
if ! command -v clang-format >/dev/null; then
  echo "format: clang-format is not installed (Debian: apt-get install clang-format; scripts/peers.sh install does it)" >&2
  exit 1
fi
if [ "${1:-}" = --check ]; then
  npx prettier --check --log-level warn .
  clang-format --dry-run --Werror "${cfiles[@]}"
else
  npx prettier --write --log-level warn .
  clang-format -i "${cfiles[@]}"
fi
