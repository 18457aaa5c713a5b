"""Requests and client setups a doc shows: what a reader is told to send, and where.

For one ``Source`` (a file, a fenced block, or a Markdown file's prose and untagged blocks):

``requests(src) -> list[Request]``
    The curl commands it shows: method (``-X``/``--request``; ``-d``/``--data*``/``--json`` imply POST, ``-I``
    HEAD, ``-G`` GET), URL, headers (``-H``), the JSON body of ``-d``/``--data``/``--data-raw``/``--json`` (a
    here-document fed through ``@-`` too) and the ``"model"`` in it, with spans in ``src.text`` for the URL and
    the model. Shell words are split by a small scanner that keeps offsets, each word's value read by
    ``shlex``; nothing is ever executed.

``setups(src) -> list[Setup]``
    The client settings it shows: Claude Code's ``ANTHROPIC_BASE_URL`` and model slots (env-style
    assignments in every kind, ``documents.scan``, the JSON passed inline to ``claude --settings '{...}'``
    included), the top-level ``model`` of a Claude Code settings.json,
    Codex's selected provider ``base_url`` / ``openai_base_url`` and ``model`` (and ``profiles.*.model``) in a
    Codex config.toml, and ``claude --model X`` / ``codex -m X`` / ``codex -c model=X`` flags; OpenCode's provider ``options.baseURL`` and
    top-level ``model``/``small_model`` (``provider/model``), Qwen Code's ``modelProviders.openai[]`` ``baseUrl``
    and ``id``, Gemini CLI's ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_MODEL``. A model an OpenCode or Qwen Code
    config names carries its provider's key (``provider.x`` / ``modelProviders.openai.N``), so a caller can tell
    whether that provider's base URL is the gateway.

Whether a value is about the live gateway is not decided here: ``judge``, ``frame_at`` and
``own_example`` say that (``flowgate-lint verify`` asks them for each item).
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any, Iterator, NamedTuple

from flowgate_lint.judgement.blocks import prose_pieces
from flowgate_lint.judgement.judge import _selected_provider
from flowgate_lint.judgement.urls import parse_url
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.spec.model import CLAUDE_SLOT_VARS, SUBAGENT_VAR

# Variables that name the model Claude Code sends.
CLAUDE_MODEL_VARS = (*CLAUDE_SLOT_VARS, SUBAGENT_VAR, "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_FABLE_MODEL",
                     "ANTHROPIC_REASONING_MODEL", "ANTHROPIC_CUSTOM_MODEL_OPTION", "ANTHROPIC_DEFAULT_MODEL")
# claude --model X, codex -m X / --model X / -c model=X (in scripts and inline code)
CLI_MODEL = lazy(r"\b(?P<client>claude|codex)\b[^\n|;&]*?(?:\s--model[ =]|\s-m\s+|\s(?:-c|--config)[ =]['\"]?model=)['\"]?([A-Za-z0-9._:/@\[\]-]+)")
# Where a curl command may start: the line start (after a prompt, sudo, env assignments), a separator, a backtick.
_CURL = lazy(r"(?:^|(?<=[\s;&|(`$]))curl(?=[ \t]|\\\r?\n)", re.M)
_MODEL_KEY = lazy(r'"model"\s*:\s*"((?:[^"\\\n]|\\.)*)"')
_HEREDOC = lazy(r"<<-?[ \t]*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_MAX_COMMAND = 20_000  # characters of one command read at most

# curl options that take an argument (the rest are flags)
_TAKES_ARG = frozenset({
    "-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--data-binary", "--data-ascii",
    "--data-urlencode", "--json", "-o", "--output", "-w", "--write-out", "-m", "--max-time", "--connect-timeout",
    "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar", "-F", "--form",
    "-x", "--proxy", "--retry", "--retry-delay", "--retry-max-time", "-T", "--upload-file", "--cacert", "--cert",
    "--key", "-K", "--config", "--resolve", "--connect-to", "-r", "--range", "-Y", "-y", "--limit-rate",
    "--max-filesize", "-U", "--proxy-user", "--url", "-E", "--interface", "--oauth2-bearer", "--variable",
    "--form-string", "--max-redirs", "--expect100-timeout", "-z", "--time-cond", "--trace", "--trace-ascii",
    "--dump-header", "-D", "--unix-socket", "--aws-sigv4",
})
_DATA = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json"})


class Request(NamedTuple):
    """A request a doc shows (a curl command)."""

    method: str
    url: str  # as the shell would pass it (quotes removed)
    start: int  # span of the URL in src.text
    end: int
    headers: tuple[tuple[str, str], ...]
    body: Any  # the parsed JSON body; None when there is none or it is not JSON
    model: str | None  # the body's "model"
    model_start: int  # span of the model in src.text; -1 when not located
    model_end: int
    command_start: int  # where "curl" starts in src.text

    @property
    def reference(self) -> bool:
        """The URL is built from a variable (``$BASE/v1/models``): nobody can say where it goes."""
        return "$" in self.url or "{" in self.url


class Setup(NamedTuple):
    """A client setting a doc shows."""

    client: str  # "claude", "codex", "opencode", "opencode-anthropic", "qwen" or "gemini"
    field: str  # "base_url" or "model"
    key: str  # ANTHROPIC_BASE_URL, ANTHROPIC_MODEL, model_providers.x.base_url, model, --model, provider.x.options.baseURL
    value: str
    start: int  # span of the value in src.text
    end: int


# ------------------------------------------------------------------------------------------------- shell words

class _Word(NamedTuple):
    value: str
    start: int  # span of the raw word, quotes included
    end: int


def _scan_word_end(text: str, i: int, limit: int) -> int | None:
    """End of the shell word starting at ``text[i]``; None when a quote is not closed before ``limit``."""
    while i < limit:
        c = text[i]
        if c == "'":
            j = text.find("'", i + 1, limit)
            if j < 0:
                return None
            i = j + 1
        elif c == '"':
            j = i + 1
            while j < limit and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= limit:
                return None
            i = j + 1
        elif c == "\\":
            if text.startswith("\n", i + 1) or text.startswith("\r\n", i + 1):
                return i  # a line continuation ends the word
            i += 2
        elif c in " \t\r\n`;|&<>()":
            return i
        else:
            i += 1
    return min(i, limit)


def _value(raw: str) -> str:
    try:
        parts = shlex.split(raw)
    except ValueError:
        return raw
    return parts[0] if len(parts) == 1 else raw


def _command(text: str, start: int) -> tuple[list[_Word], int, str | None]:
    """The words of the command starting at ``text[start]``, where it ends, and its here-document tag."""
    limit = min(len(text), start + _MAX_COMMAND)
    words: list[_Word] = []
    tag = None
    i = start
    while i < limit:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c == "\\" and (text.startswith("\n", i + 1) or text.startswith("\r\n", i + 1)):
            i += 3 if text[i + 1] == "\r" else 2
            continue
        if c == "<":
            m = _HEREDOC.match(text, i)
            if m is None:
                break
            tag = m.group(2)
            i = m.end()
            continue
        if c in "\r\n`;|&>()#":
            break
        end = _scan_word_end(text, i, limit)
        if end is None or end == i:
            break
        words.append(_Word(_value(text[i:end]), i, end))
        i = end
    return words, i, tag


def _heredoc(text: str, after: int, tag: str) -> tuple[str, int] | None:
    """The body of a here-document whose command line ends at ``after``, and its offset in ``text``."""
    nl = text.find("\n", after)
    if nl < 0:
        return None
    body_start = pos = nl + 1
    while pos < len(text) and pos - body_start < _MAX_COMMAND:
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        if text[pos:line_end].strip() == tag:
            return text[body_start:pos], body_start
        if end < 0:
            break
        pos = end + 1
    return None


def _inner(text: str, word: _Word) -> tuple[int, int]:
    """The span of a word's value inside its quotes (the raw span when the value is not written verbatim)."""
    raw = text[word.start:word.end]
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == word.value:
        return word.start + 1, word.end - 1
    if raw == word.value:
        return word.start, word.end
    at = raw.find(word.value)
    return (word.start + at, word.start + at + len(word.value)) if at >= 0 and word.value else (word.start, word.end)


def _model_span(text: str, start: int, end: int, model: str) -> tuple[int, int]:
    for m in _MODEL_KEY.finditer(text, start, end):
        try:
            value = json.loads(f'"{m.group(1)}"')
        except ValueError:
            continue
        if value == model:
            return m.start(1), m.end(1)
    at = text.find(model, start, end)
    return (at, at + len(model)) if at >= 0 and model else (-1, -1)


def _curl(text: str, start: int) -> Request | None:
    words, end, tag = _command(text, start)
    args = words[1:]
    method = None
    url_word = None
    headers: list[tuple[str, str]] = []
    data: list[tuple[str, _Word]] = []
    head = get = upload = False
    i = 0
    while i < len(args):
        w = args[i]
        v = w.value
        opt, attached = v, None
        if v.startswith("-") and not v.startswith("--") and len(v) > 2 and v[:2] in _TAKES_ARG:
            opt, attached = v[:2], _Word(v[2:], w.start + 2, w.end)
        if opt in _TAKES_ARG:
            arg = attached
            if arg is None:
                i += 1
                if i >= len(args):
                    break
                arg = args[i]
            if opt in ("-X", "--request"):
                method = arg.value.upper()
            elif opt in ("-H", "--header"):
                name, sep, hv = arg.value.partition(":")
                if sep:
                    headers.append((name.strip(), hv.strip()))
            elif opt in _DATA:
                data.append((opt, arg))
            elif opt == "--url":
                url_word = url_word or arg
            elif opt in ("-T", "--upload-file"):
                upload = True
        elif v in ("-I", "--head"):
            head = True
        elif v in ("-G", "--get"):
            get = True
        elif not v.startswith("-") and url_word is None and (
                "://" in v or parse_url(v) is not None or (v.startswith("$") and "/" in v)):
            url_word = w
        i += 1
    if url_word is None:
        return None
    body, model, m_start, m_end = None, None, -1, -1
    for opt, arg in data:
        if arg.value == "@-" and tag is not None:
            found = _heredoc(text, end, tag)
            if found is None:
                continue
            body_text, b_start = found
            b_end = b_start + len(body_text)
        elif arg.value.startswith("@"):
            continue
        else:
            body_text = arg.value
            b_start, b_end = arg.start, arg.end
        try:
            parsed = json.loads(body_text)
        except (ValueError, RecursionError):
            continue
        body = parsed
        if isinstance(parsed, dict) and isinstance(parsed.get("model"), str):
            model = parsed["model"]
            m_start, m_end = _model_span(text, b_start, b_end, model)
        break
    if method is None:
        method = "HEAD" if head else "GET" if get else "POST" if data else "PUT" if upload else "GET"
    u_start, u_end = _inner(text, url_word)
    return Request(method, url_word.value, u_start, u_end, tuple(headers), body, model, m_start, m_end, start)


def _pieces(src: Any) -> Iterator[tuple[str, Any]]:
    """(text, to_host) to read: a shell source whole; a Markdown file's prose and untagged blocks."""
    if src.kind == "shell":
        yield src.text, None
    elif src.kind == "markdown":
        yield from prose_pieces(src)


def requests(src: Any) -> list[Request]:
    """The curl requests ``src`` shows (see the module docstring); offsets in ``src.text``. Cached per source."""
    cache = src._cache
    if "requests" in cache:
        return cache["requests"]
    out: list[Request] = []
    for text, to_host in _pieces(src):
        if "curl" not in text:
            continue
        for m in _CURL.finditer(text):
            req = _curl(text, m.start())
            if req is None:
                continue
            if to_host is not None:  # a Markdown piece: host offsets are the whole file's offsets
                req = req._replace(start=to_host(req.start), end=to_host(req.end), command_start=to_host(req.command_start),
                                   model_start=to_host(req.model_start) if req.model_start >= 0 else -1,
                                   model_end=to_host(req.model_end) if req.model_start >= 0 else -1)
            out.append(req)
    cache["requests"] = out
    return out


# ------------------------------------------------------------------------------------------------ client setups

def _codex_config(data: Any) -> bool:
    return isinstance(data, dict) and ("model_provider" in data or "model_providers" in data)


def _json_client_setup(data: Any, p: tuple, leaf: Any) -> list[Setup]:
    """An OpenCode or Qwen Code setting at leaf path ``p`` of a JSON config, if it is one."""
    providers = data.get("provider") if isinstance(data, dict) else None
    if len(p) == 4 and p[0] == "provider" and p[2:] == ("options", "baseURL") and isinstance(providers, dict):
        npm = (providers.get(p[1]) or {}).get("npm") if isinstance(providers.get(p[1]), dict) else None
        client = "opencode-anthropic" if npm == "@ai-sdk/anthropic" else "opencode"
        return [Setup(client, "base_url", f"provider.{p[1]}", leaf.value, leaf.start, leaf.end)]
    if p in (("model",), ("small_model",)) and isinstance(providers, dict) and "/" in leaf.value:
        provider, _, model = leaf.value.partition("/")
        at = leaf.start + len(provider) + 1
        return [Setup("opencode", "model", f"provider.{provider}", model, at, at + len(model))]
    if len(p) == 4 and p[:2] == ("modelProviders", "openai") and isinstance(p[2], int) and p[3] in ("baseUrl", "id"):
        field = "base_url" if p[3] == "baseUrl" else "model"
        return [Setup("qwen", field, f"modelProviders.openai.{p[2]}", leaf.value, leaf.start, leaf.end)]
    return []


def setups(src: Any) -> list[Setup]:
    """The client settings ``src`` shows (see the module docstring); offsets in ``src.text``. Cached per source."""
    from flowgate_lint.documents.scan import assignments

    cache = src._cache
    if "setups" in cache:
        return cache["setups"]
    out: list[Setup] = []
    for a in assignments(src):
        if a.name == "ANTHROPIC_BASE_URL":
            out.append(Setup("claude", "base_url", a.name, a.value, a.start, a.end))
        elif a.name in CLAUDE_MODEL_VARS:
            out.append(Setup("claude", "model", a.name, a.value, a.start, a.end))
        elif a.name in ("GOOGLE_GEMINI_BASE_URL", "GEMINI_MODEL"):
            out.append(Setup("gemini", "base_url" if a.name.endswith("URL") else "model", a.name, a.value, a.start, a.end))
    if src.kind in ("toml", "json"):
        try:
            data, leaves = src.data(), src.leaves()
        except Exception:  # noqa: BLE001 - a block that does not parse shows no settings
            data, leaves = None, []
        for leaf in leaves:
            if not isinstance(leaf.value, str):
                continue
            p = leaf.path
            raw = src.text[leaf.start:leaf.end]
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                leaf = leaf._replace(start=leaf.start + 1, end=leaf.end - 1)
            if src.kind == "toml" and _codex_config(data):
                if p == ("openai_base_url",) or (leaf.key == "base_url" and _selected_provider(src, p)):
                    out.append(Setup("codex", "base_url", ".".join(map(str, p)), leaf.value, leaf.start, leaf.end))
                elif p == ("model",) or (len(p) == 3 and p[0] == "profiles" and p[2] == "model"):
                    out.append(Setup("codex", "model", ".".join(map(str, p)), leaf.value, leaf.start, leaf.end))
            elif src.kind == "json" and p == ("model",) and isinstance(data, dict) and "env" in data:
                out.append(Setup("claude", "model", "model", leaf.value, leaf.start, leaf.end))
            elif src.kind == "json":
                out.extend(_json_client_setup(data, p, leaf))
    for text, to_host in _pieces(src):
        if "claude" not in text and "codex" not in text:
            continue
        for m in CLI_MODEL.finditer(text):
            a, b = m.start(2), m.end(2)
            if to_host is not None:
                a, b = to_host(a), to_host(b)
            out.append(Setup(m.group("client"), "model", "--model", m.group(2), a, b))
    out.sort(key=lambda s: s.start)
    cache["setups"] = out
    return out
