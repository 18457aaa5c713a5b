#!/usr/bin/env bash
# Smoke test for the LiteLLM proxy from this tutorial.
set -euo pipefail
KEY="${LITELLM_MASTER_KEY:-sk-1234}"
curl -fsS http://localhost:4000/health/liveliness >/dev/null
curl -fsS http://localhost:4000/v1/models -H "Authorization: Bearer $KEY" >/dev/null
curl -fsS http://localhost:4040/v1/messages -H "Authorization: Bearer $KEY" \
  -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \
  -d '{"model":"claude-haiku-4-5","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "proxy OK"
