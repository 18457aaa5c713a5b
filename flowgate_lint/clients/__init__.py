"""The clients' own configs: rendering them from the spec, applying them safely, and probing a live gateway.

render (Codex ``config.toml``, Claude Code ``settings.json``, snippets), config (merging managed keys
into a user's config), safewrite (backups first, atomic writes, restore), probe (the requests the clients
make, sent to a running gateway).

May import: spec, plumbing.
"""
