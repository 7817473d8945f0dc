#!/usr/bin/env bash
# Starts rc-sandbox, `trunk serve` and the demo CRM page side by side and stops them all on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
sandbox_addr=$1 widget_port=$2 url=$3 crm_port=$4
./target/debug/rc-sandbox --listen "$sandbox_addr" &
sandbox=$!
trunk serve --release --port "$widget_port" &
trunk_pid=$!
# The demo CRM page, on its own origin so that embedding is really cross-origin.
node examples/crm/serve.mjs --port "$crm_port" --widget "http://127.0.0.1:$widget_port" --server "http://$sandbox_addr" >/dev/null &
crm=$!
trap 'kill $sandbox $trunk_pid $crm 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
sleep 1
cat <<MSG

  rc-active-calls demo
  --------------------
  Open:        $url
  Demo CRM:    http://127.0.0.1:$crm_port/  (the widget embedded three ways: ?mode=element | mount | iframe)
  Sign in as any sandbox user (Ada Admin is an admin: try "All calls").
  rc-sandbox:  http://$sandbox_addr  (control API under /sandbox/, see README)
  Calls start and end by themselves every minute or so; start one now with:
    curl -X POST http://$sandbox_addr/sandbox/calls -d '{"extension":"101","from":{"name":"NORTHWIND","phoneNumber":"+12125550143"}}'
  (+12125550143 is Nancy Davolio in the demo CRM's contacts.)
  Ctrl-C stops all three servers.

MSG
wait
