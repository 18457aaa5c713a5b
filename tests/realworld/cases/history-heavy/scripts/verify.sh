#!/bin/sh
# verify: the gateway answers the routes both clients use.
set -eu
GW=http://127.0.0.1:4100
curl -fsS "$GW/v1/models" -H "Authorization: Bearer $LITELLM_MASTER_KEY" >/dev/null
curl -fsS -X POST "$GW/v1/messages" -H "Authorization: Bearer $LITELLM_MASTER_KEY" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"router-default","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
exit 0
