#!/bin/sh
# End-to-end check of the Anthropic routes.
set -e
GW=http://127.0.0.1:4000
curl -fsS -X POST "$GW/v1/messages/count_tokens" -H "x-api-key: $LITELLM_MASTER_KEY" \
  -H 'content-type: application/json' \
  -d '{"model":"gw-small","messages":[{"role":"user","content":"ping"}]}' >/dev/null
curl -s -X POST "$GW/v1/messages" -H "x-api-key: $LITELLM_MASTER_KEY" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"gw-small","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' || true
echo "e2e done"
