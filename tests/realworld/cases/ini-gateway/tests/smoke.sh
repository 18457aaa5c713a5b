#!/usr/bin/env bash
# Smoke test: the gateway answers both client APIs.
set -euo pipefail
GW=http://localhost:8081
curl -fsS -X POST "$GW/v1/responses" -H 'content-type: application/json' \
  -d '{"model":"claude-sonnet-4-5","input":"ping"}' >/dev/null
curl -fsS -X POST "$GW/v1/messages" -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "smoke passed"
