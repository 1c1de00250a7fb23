#!/usr/bin/env bash
# Runs the conformance fixtures and the JS suite's API tests on the WebAssembly build, forced
# with NAPI_RS_FORCE_WASI=true (napi-rs's loader then takes binding/harmony.wasip1.cjs even though
# the native addon is there). Needs `npm run build` and scripts/platform/build.sh wasm32-wasip1.
# The packaging tests (package.spec.ts) are left out: they check which artifact an installed
# package loads, and run unforced in `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."

export NAPI_RS_FORCE_WASI=true
# Node warns on stderr that node:wasi is experimental, in every process that loads the WASM build;
# tests of child processes (the CLI's) read their stderr.
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=ExperimentalWarning"
target=$(node -p "require('./binding/binding.cjs').__napiBindingTarget" 2>/dev/null)
[ "$target" = wasm32-wasip1 ] || { echo "the forced loader gave '$target', not the WASM build" >&2; exit 1; }
echo "== loaded: $target"

checker=../shared/tools/api-conformance.mjs
for fixtures in fixtures/conformance ../shared/conformance; do
  [ -d "$fixtures" ] && [ -f "$checker" ] || continue
  echo "== wasm: $fixtures (api-conformance, then batched)"
  node "$checker" "$fixtures"
  node "$checker" "$fixtures" --batched
done
echo "== wasm: vitest"
npx vitest run --exclude __test__/package.spec.ts
