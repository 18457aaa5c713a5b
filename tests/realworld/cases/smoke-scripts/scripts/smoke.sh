#!/usr/bin/env bash
# Smoke test for the gateway: what Claude Code and Codex CLI call.
set -euo pipefail

GW="http://127.0.0.1:4000"
AUTH="Authorization: Bearer ${LITELLM_MASTER_KEY:?}"

curl -fsS "$GW/health/liveliness" >/dev/null
curl -fsS "$GW/v1/models" -H "$AUTH" >/dev/null
curl -fsS -X POST "$GW/v1/responses" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"model":"gw-main","input":"ping"}' >/dev/null
curl -fsS -X POST "$GW/v1/messages" -H "$AUTH" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"gw-main","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "smoke: all good"
