#!/bin/sh
# 冒烟测试（smoke test）：检查网关上客户端用到的接口。
set -e
GW=http://127.0.0.1:4000
curl -fsS "$GW/v1/models" -H "Authorization: Bearer $LITELLM_MASTER_KEY" >/dev/null
curl -fsS -X POST "$GW/v1/chat/completions" -H "Authorization: Bearer $LITELLM_MASTER_KEY" \
  -H 'content-type: application/json' \
  -d '{"model":"qwen-coder","messages":[{"role":"user","content":"ping"}]}' >/dev/null
echo "冒烟测试通过"
