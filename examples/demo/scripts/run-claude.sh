#!/bin/sh
# Runs Claude Code through the gateway (the key below is a fake one for the demo).
export ANTHROPIC_BASE_URL=http://127.0.0.1:4000
export ANTHROPIC_AUTH_TOKEN=sk-demoPk7Rw2Xq9Tz4Lm8Vb3Nc6Hj1Df5Gs
exec claude "$@"
