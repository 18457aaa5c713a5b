#!/bin/sh
# Health check run by CI after deploying the gateway: every route the clients use.
set -eu
GW=http://127.0.0.1:4000
H='anthropic-version: 2023-06-01'
curl -fsS "$GW/v1/models" -H "Authorization: Bearer $LITELLM_MASTER_KEY" >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$GW/v1/messages/count_tokens" -H "$H" \
  -H "Authorization: Bearer $LITELLM_MASTER_KEY" -H 'content-type: application/json' \
  -d '{"model":"gw-main","messages":[{"role":"user","content":"ping"}]}')
[ "$code" = 200 ] || { echo "count_tokens: HTTP $code" >&2; exit 1; }
curl -fsS -X POST "$GW/v1/messages" -H "$H" -H "Authorization: Bearer $LITELLM_MASTER_KEY" \
  -H 'content-type: application/json' \
  -d '{"model":"gw-main","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "healthcheck OK"
