#!/bin/sh
# Smoke test for the FlowGate gateway.
set -eu
curl -fsS http://127.0.0.1:4001/v1/models -H "Authorization: Bearer $FLOWGATE_TOKEN" >/dev/null
curl -fsS -X POST http://127.0.0.1:4000/v1/messages -H "Authorization: Bearer $FLOWGATE_TOKEN" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"router-default","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "smoke OK"
