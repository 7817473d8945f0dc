#!/usr/bin/env bash
# Starts rc-sandbox and `trunk serve` side by side and stops both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
sandbox_addr=$1 widget_port=$2 url=$3
./target/debug/rc-sandbox --listen "$sandbox_addr" &
sandbox=$!
trunk serve --release --port "$widget_port" &
trunk_pid=$!
trap 'kill $sandbox $trunk_pid 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
sleep 1
cat <<MSG

  rc-active-calls demo
  --------------------
  Open:        $url
  Sign in as any sandbox user (Ada Admin is an admin: try "All calls").
  rc-sandbox:  http://$sandbox_addr  (control API under /sandbox/, see README)
  Calls start and end by themselves every minute or so; start one now with:
    curl -X POST http://$sandbox_addr/sandbox/calls -d '{"extension":"101","from":{"name":"Test Caller","phoneNumber":"+14155550100"}}'
  Ctrl-C stops both servers.

MSG
wait
