#!/usr/bin/env bash
# Build and run the native fuzz targets (native/fuzz/*.c) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/fuzz.sh [--runs N | --seconds S] [TARGET...]   (targets: json control dns; default all)
#
# Each target starts from its seed corpus (native/fuzz/corpus/TARGET, copied,
# so the repository's seeds stay as they are) and stops after N inputs
# (default 20000) or S seconds. A crash, leak or sanitizer report fails the
# run; the input that caused it is kept in native/build/fuzz/artifacts/.
# Needs clang with the libFuzzer runtime (Debian: clang-14, libclang-rt-14-dev).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src="$repo/native"
out="$src/build/fuzz"
limit=(-runs=20000)
targets=()
while (($#)); do
  case "$1" in
    --runs) limit=("-runs=$2"); shift 2 ;;
    --seconds) limit=("-max_total_time=$2"); shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(json control dns)

cc=${CC_FUZZ:-}
if [ -z "$cc" ]; then
  for c in clang clang-14; do command -v "$c" >/dev/null && { cc=$c; break; }; done
fi
[ -n "$cc" ] || { echo "fuzz: clang is not installed (Debian: clang-14 libclang-rt-14-dev)" >&2; exit 2; }

flags=(-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=undefined)
common=("$src/monitor/util.c" "$src/monitor/strbuf.c")
mkdir -p "$out/artifacts" "$out/include"
# the constants C and TypeScript share (native/constants.json), as the build makes them
(cd "$src" && node gen-constants.mjs constants.json "$out/include/berth-constants.h")
flags+=(-I"$out/include")
status=0
for t in "${targets[@]}"; do
  case "$t" in
    json) sources=("$src/fuzz/json.c" "$src/monitor/json.c" "${common[@]}") ;;
    control)
      sources=("$src/fuzz/control.c" "$src/monitor/control.c" "$src/monitor/attach.c" "$src/monitor/restart.c"
        "${common[@]}")
      ;;
    dns)
      sources=("$src/fuzz/dns.c" "$src/dns/answer.c" "$src/dns/records.c" "$src/dns/wire.c" "$src/monitor/json.c"
        "${common[@]}")
      ;;
    *) echo "fuzz: unknown target $t (json, control, dns)" >&2; exit 2 ;;
  esac
  "$cc" "${flags[@]}" -o "$out/$t" "${sources[@]}"
  work=$(mktemp -d "${TMPDIR:-/tmp}/berth-fuzz-$t-XXXXXX")
  cp "$src/fuzz/corpus/$t/"* "$work/"
  echo "fuzz: $t (${limit[*]})" >&2
  if ! "$out/$t" "${limit[@]}" -seed=1 -max_len=65536 -artifact_prefix="$out/artifacts/$t-" "$work" 2>"$out/$t.log"; then
    tail -n 40 "$out/$t.log" >&2
    echo "fuzz: $t FAILED (log $out/$t.log)" >&2
    status=1
  else
    grep -E '^Done|^#[0-9]+\s+DONE' "$out/$t.log" | tail -n 1 >&2 || true
  fi
  rm -rf "$work"
done
exit $status
