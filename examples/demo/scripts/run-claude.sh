#!/bin/sh
# Runs Claude Code through the gateway (the key below is a fake one for the demo).
export ANTHROPIC_BASE_URL=http://127.0.0.1:4000
export ANTHROPIC_AUTH_TOKEN=sk-demoFAKE0123456789abcdefABCDEFxyz
exec claude "$@"
