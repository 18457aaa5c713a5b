#!/bin/sh
# Start LiteLLM on the gateway port and wait until it answers.
set -eu
litellm --config litellm_config.yaml --host 127.0.0.1 --port 4000 &
until curl -fsS http://127.0.0.1:4000/health/readiness >/dev/null 2>&1; do sleep 1; done
echo "gateway up on http://127.0.0.1:4000"
