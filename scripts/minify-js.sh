#!/usr/bin/env bash
# Trunk post-build hook: minifies the JS glue and embed.js of release builds with terser (trunk's own minifier
# cannot parse the glue's `export … as default`). Part of the 100 KB budget.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
terser="$(dirname "$0")/../tools/node_modules/.bin/terser"
for f in "$TRUNK_STAGING_DIR"/*.js; do
  "$terser" "$f" --module --compress passes=2 --mangle --output "$f"
done
