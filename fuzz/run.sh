#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time, one after another, and prints the
# executions of each (libFuzzer's final stats).
#
#   fuzz/run.sh [seconds-per-target] [target...]     (default: 60 s, every target)
#
# Each target starts from the committed seeds, fuzz/seeds/<target> (written from the conformance
# fixtures by `node fuzz/seeds.mjs`), and keeps what it finds in fuzz/corpus/<target> (ignored by
# git). A crash leaves its input in fuzz/artifacts/<target>/ and makes the script
# exit non-zero after the remaining targets ran; turn each one into a test in
# crates/harmony-core/tests/regressions.rs.
#
# Only stable Rust is installed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly flags.
set -euo pipefail

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse stream encode decode render recover)

cd "$(dirname "$0")"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT
if ! cargo fuzz build >"$log_dir/build.log" 2>&1; then
  cat "$log_dir/build.log" >&2
  exit 1
fi
failed=()
printf '%-8s %14s %8s %s\n' target executions seconds result
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log="$log_dir/$target.log"
  status=ok
  cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -dict=harmony.dict -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 >"$log" 2>&1 || status=FAILED
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  printf '%-8s %14s %8s %s\n' "$target" "${execs:-?}" "$seconds" "$status"
  if [ "$status" != ok ]; then
    failed+=("$target")
    grep -E 'panicked|assert|left:|right:|SUMMARY|Test unit written' "$log" | head -n 20 || tail -n 30 "$log"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "failing targets: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
