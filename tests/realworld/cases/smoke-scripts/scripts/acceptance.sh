#!/bin/sh
# Acceptance test after a gateway upgrade.
set -eu
GW=http://127.0.0.1:4000
curl -fsS -X POST http://127.0.0.1:4001/v1/messages/count_tokens -H 'anthropic-version: 2023-06-01' \
  -H "Authorization: Bearer $LITELLM_MASTER_KEY" -H 'content-type: application/json' \
  -d '{"model":"gw-main","messages":[{"role":"user","content":"ping"}]}' >/dev/null
curl -fsS -X POST "$GW/v1/messages" -H 'anthropic-version: 2023-06-01' \
  -H "Authorization: Bearer $LITELLM_MASTER_KEY" -H 'content-type: application/json' \
  -d '{"model":"gw-main","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' | jq -e .content >/dev/null
echo "acceptance OK"
