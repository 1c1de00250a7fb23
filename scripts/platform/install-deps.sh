#!/usr/bin/env bash
# Installs what the cross and WebAssembly builds and their tests need, from Debian's registry
# (idempotent: packages already present are left alone). Needs root (or sudo).
#
#   scripts/platform/install-deps.sh [arm64] [wasm] [browser]   (no argument = all)
#
# arm64:   Debian's rustc 1.96 (rustc-web) whose arm64 std we fetch separately (see
#          build-native.sh), the aarch64 GNU linker and C library, qemu-user to run arm64 Node.
# wasm:    rustc-web with std's sources for -Zbuild-std, rust-lld, and a wasm32-wasi libc.
# browser: Chromium for the demo's headless test.
set -euo pipefail

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(arm64 wasm browser)

packages=()
for group in "${groups[@]}"; do
  case "$group" in
    arm64) packages+=(rustc-web gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user) ;;
    wasm) packages+=(rustc-web rust-web-src rust-web-llvm lld-22 wasi-libc) ;;
    browser) packages+=(chromium) ;;
    *) echo "unknown group: $group (arm64, wasm, browser)" >&2; exit 2 ;;
  esac
done

missing=()
for p in $(printf '%s\n' "${packages[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# napi-build links a wasm32-wasip1 reactor from the sysroot's self-contained folder: point it
# at Debian's wasi-libc.
if printf '%s\n' "${groups[@]}" | grep -qx wasm; then
  dir=/usr/lib/rustlib/wasm32-wasip1/lib/self-contained
  $sudo mkdir -p "$dir"
  for f in /usr/lib/wasm32-wasi/*; do $sudo ln -sfn "$f" "$dir/"; done
fi
echo "platform dependencies present: ${groups[*]}"
