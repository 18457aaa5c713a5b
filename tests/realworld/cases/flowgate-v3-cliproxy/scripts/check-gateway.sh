#!/bin/sh
# Smoke test for the CLIProxyAPIPlus gateway: the routes Codex CLI and Claude Code use.
set -eu

BASE="${FLOWGATE_BASE:-http://127.0.0.1:8317}"
KEY="${FLOWGATE_KEY:?set FLOWGATE_KEY}"

curl -fsS "$BASE/v1/models" -H "Authorization: Bearer $KEY" >/dev/null
curl -fsS -X POST "$BASE/v1/messages/count_tokens" -H "Authorization: Bearer $KEY" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"ping"}]}' >/dev/null
curl -fsS -X POST "$BASE/v1/messages" -H "Authorization: Bearer $KEY" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "gateway OK"
