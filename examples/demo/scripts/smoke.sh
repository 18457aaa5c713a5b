#!/bin/sh
# Smoke test for the gateway: run after `litellm --config ...` is up.
set -e
BASE=http://127.0.0.1:4001
curl -fsS "$BASE/health/liveliness"
curl -fsS "$BASE/v1/models" -H "Authorization: Bearer $OPENAI_API_KEY"
curl -fsS "$BASE/v1/chat/completions" -H "Authorization: Bearer $OPENAI_API_KEY" \
  -H 'content-type: application/json' \
  -d '{"model":"router-default","messages":[{"role":"user","content":"ping"}]}'
echo "smoke OK"
