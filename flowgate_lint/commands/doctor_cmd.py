"""``flowgate-lint doctor``: compare the user's client configs and environment with the spec (read-only)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "check your own client configs (Codex, Claude Code, and OpenCode, Gemini CLI, Qwen Code where set up) and environment against the spec (read-only)"
# Flags naming each client's config; Codex and Claude Code are always checked, the others when their config
# exists or --client names them.
_TARGET_FLAGS = {"codex": "codex_target", "claude-code": "claude_target", "opencode": "opencode_target",
                 "gemini-cli": "gemini_target", "qwen-code": "qwen_target"}
ALWAYS = ("codex", "claude-code")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments

    parser.add_argument("--codex-target", metavar="PATH", help="Codex config (default as for apply: $CODEX_HOME/config.toml "
                        "or ~/.codex/config.toml)")
    parser.add_argument("--claude-target", metavar="PATH", help="Claude Code settings (default as for apply: "
                        "$CLAUDE_CONFIG_DIR/settings.json or ~/.claude/settings.json)")
    parser.add_argument("--opencode-target", metavar="PATH", help="OpenCode config (default: "
                        "$XDG_CONFIG_HOME/opencode/opencode.json or ~/.config/opencode/opencode.json)")
    parser.add_argument("--gemini-target", metavar="PATH", help="Gemini CLI settings (default: ~/.gemini/settings.json; "
                        "the .env beside it is checked too)")
    parser.add_argument("--qwen-target", metavar="PATH", help="Qwen Code settings (default: ~/.qwen/settings.json)")
    parser.add_argument("--client", action="append", metavar="NAME", choices=list(_TARGET_FLAGS),
                        help="check only these clients (repeatable; default: Codex, Claude Code, and each other "
                        "client whose config exists)")
    add_spec_arguments(parser, writes_cache=False)


# The client variables doctor lints as the environment's own file (never a key's value: see _environment).
_ENV_NAMES = ("ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL",
              "ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "CLAUDE_CODE_SUBAGENT_MODEL",
              "OPENAI_BASE_URL")
_KEY_NAMES = ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")  # only whether they are set


def rule_rows(spec, files: list[tuple[str, Path, str]], preview: bool) -> list[tuple[str, str, str, str]]:
    """Every finding the rule set (the one ``flowgate-lint`` runs) has on the user's live client files, one row
    each: (label, "drift", "CODE message", fix). ``files`` holds (label, path, kind); the environment's
    client variables are linted as a dotenv file of their own. Messages are redacted."""
    from flowgate_lint.clients import safewrite
    from flowgate_lint.lint.engine import Context, decode_host, lint_host
    from flowgate_lint.plumbing.errors import FlowgateError
    from flowgate_lint.plumbing.redact import redact
    from flowgate_lint.rules import rule_classes, select_codes

    # FG701 is left out: a user's own live config (apply --token-env writes the key into settings.json) and the
    # environment are where a key belongs; FG002 (unused suppressions) and FG511 (a project's own .codex/config.toml)
    # are about repositories.
    codes = [c for c in select_codes(["ALL"], preview=preview) if c not in ("FG002", "FG701", "FG511")]
    ctx = Context(spec, rule_classes(codes), Path.cwd(), preview=preview)
    rows = []
    sources = []
    for label, path, kind in files:
        try:
            raw = safewrite.read(path)  # capped like the comparison's read; a FIFO is never waited on
        except FlowgateError:
            continue  # unreadable: the comparison above already says so
        if raw is not None:
            sources.append((label, path.name, raw, kind))
    env_text = _environment()
    if env_text:
        sources.append(("environment", "environment.env", env_text.encode(), "dotenv"))
    for label, name, raw, kind in sources:
        host = decode_host(raw, name, kind)
        if not hasattr(host, "text"):
            continue  # unreadable: the apply comparison above already says so
        for f in lint_host(host, ctx):
            fix = "flowgate-lint --fix can repair it" if f.fix is not None and f.fix.applicability == "safe" else ""
            rows.append((f"{label}:{f.line}", "drift", f"{f.code} {redact(f.message)[0]}", fix))
    return rows


def _environment() -> str:
    """The client variables set in the environment, as dotenv lines; key variables only as references."""
    lines = [f"{name}={os.environ[name]}" for name in _ENV_NAMES if os.environ.get(name) is not None]
    lines += [f"{name}=${{{name}}}" for name in _KEY_NAMES if os.environ.get(name)]  # a reference, never the key
    # The header says what the file is: the environment Codex and Claude Code both run in (FG304 asks for Codex).
    return "# the environment Codex and Claude Code run in\n" + "\n".join(lines) + "\n" if lines else ""


def checks(spec, targets: dict[str, Path]) -> list[tuple[str, str, str, str]]:
    """(check, status, detail, fix) rows for each client in ``targets`` (name -> config path) and the
    environment; status is ok, drift, missing or warn. Never includes a secret."""
    from flowgate_lint.clients import safewrite
    from flowgate_lint.clients.catalog import CLIENTS
    from flowgate_lint.plumbing.errors import FlowgateError

    rows = []
    claude_settings: dict = {}  # what Claude Code's settings.json provides (its "env" and apiKeyHelper)
    for client, target in targets.items():
        for path, part in CLIENTS[client].files(target):
            label = CLIENTS[client].label(part)
            fix = f"flowgate-lint apply {client}" + (f" --target {target}" if target != _default(client) else "")
            try:
                data = safewrite.read(path)
            except FlowgateError as exc:
                rows.append((label, "drift", str(exc), fix))
                continue
            if data is None:
                rows.append((label, "missing", f"{path} does not exist", fix))
                continue
            try:
                text = data.decode("utf-8-sig")
                edited = part.apply(text, spec, None, str(path))
            except (FlowgateError, UnicodeDecodeError) as exc:
                rows.append((label, "drift", f"cannot read it: {exc}", "fix the file by hand"))
                continue
            if client == "claude-code":
                claude_settings = _claude_provides(text)
            if edited.changes:
                rows.append((label, "drift", "; ".join(edited.changes), fix))
            else:
                rows.append((label, "ok", f"{path} matches the spec", ""))
    if "claude-code" not in targets:
        return rows + _other_env_rows(spec, targets)
    claude_path = targets["claude-code"]
    env = os.environ
    settings_env = claude_settings.get("env", {})
    base = env.get("ANTHROPIC_BASE_URL")
    if base is None:
        where = (f"{claude_path} sets it" if isinstance(settings_env.get("ANTHROPIC_BASE_URL"), str)
                 else f"{claude_path} does not set it either")
        provided = isinstance(settings_env.get("ANTHROPIC_BASE_URL"), str)
        rows.append(("ANTHROPIC_BASE_URL (env)", "ok" if provided else "warn", f"not set ({where})",
                     "" if provided else f"flowgate-lint apply claude-code (or: export ANTHROPIC_BASE_URL={spec.claude.base_url})"))
    elif base.rstrip("/") == spec.claude.base_url:
        rows.append(("ANTHROPIC_BASE_URL (env)", "ok", base, ""))
    else:
        rows.append(("ANTHROPIC_BASE_URL (env)", "drift", f"{base} (spec: {spec.claude.base_url}); it overrides settings.json",
                     f"export ANTHROPIC_BASE_URL={spec.claude.base_url}"))
    rows.append(_token_row(env, settings_env, claude_settings.get("apiKeyHelper"), claude_path, spec))
    return rows + _other_env_rows(spec, targets)


# The clients that read the gateway key from the spec's key variable, and the setting that names it.
_KEY_READERS = (("codex", "Codex env_key"), ("opencode", "OpenCode apiKey"), ("qwen-code", "Qwen Code envKey"))


def _other_env_rows(spec, targets: dict[str, Path]) -> list[tuple[str, str, str, str]]:
    """The environment as the OpenAI-style clients and Gemini CLI see it (values of keys never shown)."""
    env = os.environ
    rows = []
    key = spec.codex.env_key
    readers = [(name, label) for name, label in _KEY_READERS if name in targets]
    if readers:
        who = ", ".join(label for _, label in readers)
        clients = " and ".join(label.split(" ", 1)[0] if not label.startswith("Qwen") else "Qwen Code"
                               for _, label in readers)
        rows.append((f"{key} (env, {who})", "ok" if env.get(key) else "missing",
                     "set" if env.get(key) else f"not set: {clients} requests will fail",
                     "" if env.get(key) else f"export {key}=<gateway key>"))
    if "codex" in targets and env.get("OPENAI_BASE_URL") is not None:
        rows.append(("OPENAI_BASE_URL (env)", "drift", "set; Codex ignores it (support removed): configure the provider "
                     "table in config.toml", "unset OPENAI_BASE_URL"))
    if "gemini-cli" in targets:
        rows += _gemini_env_rows(spec, targets["gemini-cli"].parent / ".env")
    return rows


def _gemini_env_rows(spec, path: Path) -> list[tuple[str, str, str, str]]:
    """Gemini CLI loads its .env without overriding the environment: a variable set in both comes from the
    environment."""
    from flowgate_lint.clients import gemini, safewrite
    from flowgate_lint.clients.dotenvedit import values
    from flowgate_lint.plumbing.errors import FlowgateError

    env = os.environ
    try:
        data = safewrite.read(path)
    except FlowgateError:
        data = None
    in_file = values(data.decode("utf-8", "replace"), (gemini.KEY_VAR,)) if data else {}
    rows = []
    base = env.get(gemini.BASE_VAR)
    if base is not None and base.rstrip("/") != spec.gemini.base_url:
        rows.append((f"{gemini.BASE_VAR} (env)", "drift", f"{base} (spec: {spec.gemini.base_url}); it overrides {path}",
                     f"export {gemini.BASE_VAR}={spec.gemini.base_url}"))
    model = env.get(gemini.MODEL_VAR)
    if model is not None and spec.gemini.model and model != spec.gemini.model and spec.serves(model) is False:
        rows.append((f"{gemini.MODEL_VAR} (env)", "drift", f"{model!r} is not served by the gateway; it overrides {path}",
                     f"export {gemini.MODEL_VAR}={spec.gemini.model}"))
    if env.get(gemini.KEY_VAR):
        rows.append((gemini.KEY_VAR, "ok", "set in the environment", ""))
    elif in_file.get(gemini.KEY_VAR):
        rows.append((gemini.KEY_VAR, "ok", f"not in the environment; {path} sets it", ""))
    else:
        rows.append((gemini.KEY_VAR, "warn", f"not set in the environment, nor in {path}",
                     f"flowgate-lint apply gemini-cli --token-env {spec.gemini.token_env}"))
    return rows


def _claude_provides(text: str) -> dict:
    """The parts of a settings.json that can provide the gateway URL and token: {"env": {...}, "apiKeyHelper": ...}."""
    from flowgate_lint.clients.jsonedit import ConfigError, json_object

    try:
        data = json_object(text, "settings.json")
    except ConfigError:
        return {}
    env = data.get("env")
    return {"env": env if isinstance(env, dict) else {}, "apiKeyHelper": data.get("apiKeyHelper")}


def _token_row(env, settings_env: dict, helper, claude_path: Path, spec) -> tuple[str, str, str, str]:
    """Where Claude Code gets ANTHROPIC_AUTH_TOKEN: the environment, settings.json's env block
    (written by `apply --token-env`), or an apiKeyHelper. The value itself is never shown."""
    label = "ANTHROPIC_AUTH_TOKEN"
    if env.get(label):
        return (label, "ok", "set in the environment", "")
    provided = settings_env.get(label)
    if isinstance(provided, str) and provided:
        return (label, "ok", f"not in the environment; {claude_path} sets it (env.{label})", "")
    if isinstance(helper, str) and helper.strip():
        return (label, "ok", f"not set; {claude_path} has an apiKeyHelper that provides the key", "")
    return (label, "warn", f"not set in the environment, nor in {claude_path} (env.{label} or apiKeyHelper)",
            f"flowgate-lint apply claude-code --token-env {spec.claude.token_env}  (or: export "
            f'{label}="${spec.claude.token_env}")')


def _default(client: str) -> Path:
    from flowgate_lint.commands.apply_cmd import default_target

    return default_target(client)


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.commands.specargs import load_spec_for

    from flowgate_lint.clients.catalog import CLIENTS
    from flowgate_lint.commands.specargs import preview_enabled

    settings, spec = load_spec_for(args, Path.cwd(), write_cache=False)
    targets = {}
    for client, flag in _TARGET_FLAGS.items():
        given = getattr(args, flag)
        path = Path(given).expanduser() if given else _default(client)
        chosen = client in args.client if args.client else (client in ALWAYS or given or os.path.lexists(path))
        if chosen:
            targets[client] = path
    rows = checks(spec, targets)
    files = [(CLIENTS[c].label(part), path, part.kind)
             for c, t in targets.items() for path, part in CLIENTS[c].files(t)]
    rows += rule_rows(spec, files,
                      preview_enabled(args, settings))
    widths = [max(len(r[i]) for r in rows + [("check", "status", "detail", "fix")]) for i in range(2)]
    print(f"gateway: {spec.gateway.root_url} ({spec.gateway.service}), spec from {spec.source}")
    print(f"{'check':<{widths[0]}}  {'status':<{widths[1]}}  detail")
    for check, status, detail, fix in rows:
        print(f"{check:<{widths[0]}}  {status:<{widths[1]}}  {detail}")
        if fix:
            print(f"{'':<{widths[0]}}  {'':<{widths[1]}}  fix: {fix}")
    bad = [r for r in rows if r[1] in ("drift", "missing")]
    print(f"{len(bad)} problem{'s' if len(bad) != 1 else ''} found." if bad else "Everything matches the spec.",
          file=sys.stdout)
    return 1 if bad else 0
