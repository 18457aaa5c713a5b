#!/usr/bin/env bash
# Smoke test: what Codex CLI and Claude Code need from CLIProxyAPIPlus.
set -euo pipefail

BASE=http://127.0.0.1:8317
AUTH="Authorization: Bearer ${CLIPROXY_API_KEY:?set CLIPROXY_API_KEY}"

curl -fsS "$BASE/v1/models" -H "$AUTH" >/dev/null
curl -fsS -X POST "$BASE/v1/messages" -H "$AUTH" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"coder-main","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
curl -fsS -X POST "$BASE/v1/responses" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"model":"coder-main","input":"ping"}' >/dev/null
echo "smoke OK"
