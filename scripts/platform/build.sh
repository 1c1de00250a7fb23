#!/usr/bin/env bash
# Builds the addon for another target on this Linux x64 machine, offline, with Debian's Rust
# (rustc-web, see install-deps.sh), and puts it where the release packs it from:
#
#   scripts/platform/build.sh aarch64-unknown-linux-gnu   → npm/linux-arm64-gnu/harmony.linux-arm64-gnu.node
#   scripts/platform/build.sh wasm32-wasip1               → npm/wasm32-wasip1/ (module + Node, browser and
#                                                           deferred loaders), and binding/ for this checkout
#
# The host build (`npm run build:native`) stays on rustup's toolchain; these use Debian's rustc
# through rustup's cargo (RUSTC=/usr/bin/rustc), with either Debian's prebuilt std for the target
# (arm64 gnu: fetched into target/platform/, no multiarch needed) or std rebuilt from
# rust-web-src (-Zbuild-std, accepted by the stable compiler under RUSTC_BOOTSTRAP=1).
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${1:?usage: scripts/platform/build.sh <target triple>}
work=$PWD/target/platform
mkdir -p "$work"
export RUSTC=/usr/bin/rustc
out=$work/out-$target
rm -rf "$out"
# Into a scratch folder first (napi build also writes type definitions there, which the host
# build already generated), then the artifacts to their package.
napi=(npx napi build --release --platform --manifest-path crates/harmony-napi/Cargo.toml --no-const-enum
  --no-js --output-dir "$out" --target "$target")

# Debian's prebuilt std for $1 (a Debian architecture), unpacked into a private sysroot that
# also links the host's std (build scripts and proc macros run on the host).
prebuilt_sysroot() {
  local arch=$1 triple=$2
  local apt="-o APT::Architecture=$arch -o APT::Architectures::=$arch -o Dir::State::Lists=$work/apt/lists
    -o Dir::Cache=$work/apt/cache -o Dir::State::status=/dev/null -o Debug::NoLocking=1"
  local version
  version=$(/usr/bin/rustc --version | sed -E 's/^rustc ([0-9]+\.[0-9]+).*/\1/')
  if [ ! -d "$work/stdroot-$arch/usr/lib/rustlib/$triple" ]; then
    mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/debs-$arch"
    # shellcheck disable=SC2086
    apt-get $apt update -qq
    # shellcheck disable=SC2086
    (cd "$work/debs-$arch" && apt-get $apt download -qq "libstd-rust-web-dev:$arch" "libstd-rust-web-$version:$arch")
    for deb in "$work/debs-$arch"/*.deb; do dpkg -x "$deb" "$work/stdroot-$arch"; done
  fi
  local sysroot=$work/sysroot-$arch
  mkdir -p "$sysroot/lib/rustlib"
  ln -sfn /usr/lib/rustlib/x86_64-unknown-linux-gnu "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu"
  ln -sfn "$work/stdroot-$arch/usr/lib/rustlib/$triple" "$sysroot/lib/rustlib/$triple"
  echo "$sysroot"
}

case "$target" in
  aarch64-unknown-linux-gnu)
    sysroot=$(prebuilt_sysroot arm64 "$target")
    # With --target, RUSTFLAGS reach only the target's crates; build scripts keep the host sysroot.
    RUSTFLAGS="--sysroot=$sysroot" CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
      "${napi[@]}"
    cp "$out"/harmony.linux-arm64-gnu.node npm/linux-arm64-gnu/
    ;;
  wasm32-wasip1)
    # Single-threaded wasip1: Debian's wasi-libc has no threads flavour. The module and its loaders
    # go to the WASM package, and beside binding/binding.cjs, whose WASI fallback looks there
    # first (as the host build's .node, for this checkout). The generated binding.cjs is the same
    # as the host build's and is not copied.
    RUSTC_BOOTSTRAP=1 "${napi[@]}" -- -Zbuild-std=std,panic_abort
    for f in harmony.wasm32-wasip1.wasm harmony.wasip1.cjs harmony.wasip1.d.cts harmony.wasip1-browser.js \
      harmony.wasip1-deferred.js harmony.wasip1-deferred.d.ts; do
      cp "$out/$f" npm/wasm32-wasip1/
      cp "$out/$f" binding/
    done
    ;;
  *)
    echo "unsupported target: $target" >&2
    exit 2
    ;;
esac
echo "built $target"
