#!/usr/bin/env bash
# Trunk post-build hook. 1. Moves trunk's inline module loader out of index.html into loader.js, so the standalone
# page runs under `script-src 'self'` with no hash to keep in step (every profile: `trunk serve` too). 2. In release
# builds: puts the wasm's functions of like code side by side (scripts/order-functions.mjs) and drops its custom
# sections, gives its imports and exports short names (scripts/short-names.mjs), has the glue build short strings
# itself (scripts/short-strings.mjs), and minifies the JS glue, embed.js
# and the page's scripts with terser (trunk's own minifier cannot parse the glue's `export … as default`).
# Part of the 100 KB budget.
set -euo pipefail
node - "$TRUNK_STAGING_DIR" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const page = path.join(dir, 'index.html');
const html = fs.readFileSync(page, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const m = html.match(inline);
if (!m) { console.error('post-build: no inline loader in index.html'); process.exit(1); }
fs.writeFileSync(path.join(dir, 'loader.js'), m[1].trim() + '\n');
let out = html.replace(inline, '<script type="module" src="/loader.js"></script>');
if (/<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=/.test(out)) { console.error('post-build: index.html still has inline script or style'); process.exit(1); }
fs.writeFileSync(page, out);
JS
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
scripts="$(dirname "$0")"
bin="$scripts/../tools/node_modules/.bin"
wasm=("$TRUNK_STAGING_DIR"/*_bg.wasm)
node "$scripts/order-functions.mjs" "$wasm" "$wasm.named"
# Moves the functions into their names' order; drops those names and the producers and target-features sections,
# which no browser reads.
"$bin/wasm-opt" "$wasm.named" --reorder-functions-by-name --strip-debug --strip-producers --strip-target-features \
  -o "$wasm"
rm "$wasm.named"
node "$scripts/short-names.mjs" "$TRUNK_STAGING_DIR"
node "$scripts/short-strings.mjs" "${wasm%_bg.wasm}.js"
terser="$bin/terser"
# The glue's functions are called, never constructed (wasm calls its imports), so function expressions may become
# arrows and methods shorthand (terser's unsafe_arrows, unsafe_methods): 109 B less gzip (bench/size). ES2020, as
# embed.js is.
for f in "$TRUNK_STAGING_DIR"/*.js; do
  "$terser" "$f" --module --ecma 2020 --compress passes=2,unsafe_arrows=true,unsafe_methods=true --mangle \
    --output "$f"
done
