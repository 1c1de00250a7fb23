#!/usr/bin/env bash
# Reproduces every number in BENCHMARKS.md with one command:
#   1. builds the package (release addon + TS) when dist/ or the addon is missing,
#   2. generates the shared corpus (benches/corpus/) when missing,
#   3. runs the criterion benches of the Rust core (raw core vs tiktoken-rs, bpe-openai, openai-harmony),
#   4. installs the JS peers (benches/package-lock.json) and runs the Node suite,
#   5. writes BENCHMARKS.md at the root with the charts in docs/bench-charts/.
#
#   scripts/bench.sh [--quick] [--skip-cargo] [-- extra arguments for benches/run.mjs]
#
# --quick       tiny JS budgets and criterion's --quick mode: a smoke test of the pipeline, not numbers
# --skip-cargo  reuse the criterion results already in target/criterion (e.g. after a JS-only change)
# Everything after `--` goes to benches/run.mjs (e.g. `-- --only stream --no-python`); with --only, the
# other JS metrics keep their figures from the previous run (results are merged into the report).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

quick=0
cargo=1
run_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip-cargo) cargo=0 ;;
    --) shift; run_args+=("$@"); break ;;
    *) echo "unknown argument: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n== %s (load average: %s)\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"; }

if [[ ! -f dist/esm/index.js || -z "$(ls binding/*.node 2>/dev/null)" ]]; then
  step "building the package (npm run build)"
  [[ -d node_modules ]] || npm ci
  npm run build
fi

if [[ ! -f benches/corpus/manifest.json ]]; then
  step "generating the corpus"
  node scripts/gen-corpus.mjs
fi

if [[ $cargo -eq 1 ]]; then
  step "criterion benches of the Rust core (cargo bench -p harmony-bench)"
  if [[ $quick -eq 1 ]]; then
    cargo bench -p harmony-bench -- --quick
  else
    cargo bench -p harmony-bench
  fi
fi

step "Node benches (benches/run.mjs)"
cd benches
npm ci --no-audit --no-fund
node_args=(--no-report)
[[ $quick -eq 1 ]] && node_args+=(--quick)
node run.mjs "${node_args[@]}" "${run_args[@]}"

step "report"
if [[ " ${run_args[*]-} " == *" --only "* && -f results/full.json ]]; then
  # A partial run: its metrics replace those of the last complete run in the report.
  node report.mjs results/full.json results/latest.json --out ../BENCHMARKS.md --charts ../docs/bench-charts
else
  node report.mjs results/latest.json --out ../BENCHMARKS.md --charts ../docs/bench-charts
fi
echo "BENCHMARKS.md and docs/bench-charts/ written"
