#!/usr/bin/env bash
# Installs what the build and the tests need, only what is missing; safe to run again.
# Versions and the reasons for each choice: see README "Toolchain".
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
log() { printf '[setup] %s\n' "$*"; }

have() { command -v "$1" >/dev/null 2>&1; }

# The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The standard library's source, and its own dependencies (trunk builds offline), for the size-optimised release
# build (Makefile, RELEASE_ENV).
if ! rustup component list --installed | grep -q '^rust-src'; then
  log "adding rust component rust-src"
  rustup component add rust-src
fi
RUSTC_BOOTSTRAP=1 cargo fetch -q -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown

# Chromium and its matching driver, from Debian (a browser download from elsewhere is not reachable).
if ! have chromium || ! have chromedriver; then
  log "installing chromium and chromium-driver from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# trunk: 0.21.14 is the newest that builds with this rustc; a debug build serves and builds just as well
# and installs in half the time.
if ! have trunk || ! trunk --version | grep -q "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION"
  cargo install --locked --debug trunk --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly (the lock file is the source of truth).
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ -z "$WB_VERSION" ]; then echo "[setup] wasm-bindgen not found in Cargo.lock" >&2; exit 1; fi
if ! have wasm-bindgen || ! wasm-bindgen --version | grep -q " $WB_VERSION\$"; then
  log "installing wasm-bindgen-cli $WB_VERSION"
  # Without --locked: its own lock file names a crate version the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# npm packages from their lock files: wasm-opt (npm's binaryen; native builds reject the reference-types rustc
# emits) in tools/, the end-to-end packages in e2e/, Vite for the consumer app in e2e/consumers/vite/. Installed again whenever a lock file changes.
npm_from_lock() {
  local dir=$1 stamp="$1/node_modules/.installed-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    log "installing npm packages of $dir from its package-lock.json"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    cp "$dir/package-lock.json" "$stamp"
  fi
}
npm_from_lock tools
npm_from_lock e2e
npm_from_lock e2e/consumers/vite
log "toolchain ready"
