#!/bin/sh
# Runs Claude Code through the gateway.
export ANTHROPIC_BASE_URL=http://127.0.0.1:4000
export ANTHROPIC_AUTH_TOKEN="${OPENAI_API_KEY:?set OPENAI_API_KEY to your gateway key}"
exec claude "$@"
