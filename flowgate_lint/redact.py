"""The one path everything flowgate-lint shows or stores goes through: credentials redacted,
control characters made visible, CI workflow commands neutralised.

- ``redact(text)``: credentials replaced by ``<redacted>``: passwords in URLs (``user:<redacted>@``),
  key-like query parameters (``?api_key=<redacted>``), known key shapes (``sk-…``, ``sk-ant-…``,
  GitHub and AWS keys), ``Bearer``/``Basic`` credentials, values assigned to credential-named
  variables and keys (``*_TOKEN``, ``*_API_KEY``, ``password``, ``env_key`` holding a key ...), and
  long random tokens anywhere (a key pasted into a model field). References (``$VAR``,
  ``${VAR}``, ``os.environ/VAR``), placeholders and variable names are kept.
- ``clean(text)``: ``redact`` plus every control character (CR, LF, ESC, DEL, C1, bidirectional
  overrides) written as a visible ``\\uXXXX``, for one-line fields (paths, messages).
- ``clean_block(text)``: the same for multi-line text (LF, TAB and CRLF kept), for diffs.
- ``neutralise(text)``: no line can start a GitHub Actions workflow command (``::cmd::`` at the
  start of a line, ``##[cmd]`` anywhere in it).
- ``SafeStream``: stdout/stderr wrapped by the command line, so every line any command prints has
  gone through ``redact``, the control-character escape and ``neutralise``.

Reporters, the baseline, the result cache and the commands all call these; nothing else decides
what a secret looks like.
"""

from __future__ import annotations

import math
import re
from typing import Any

REDACTED = "<redacted>"

# Known key shapes: (regex, prefix that may be shown).
KEY_SHAPES = (
    (re.compile(r"(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}"), "sk-ant-"),
    (re.compile(r"(?<![\w-])sk-(?:proj-)?[A-Za-z0-9_-]{20,}"), "sk-"),
    (re.compile(r"(?<![\w-])gh[pousr]_[A-Za-z0-9]{30,}"), "gh*_"),
    (re.compile(r"(?<![\w-])AKIA[0-9A-Z]{16}(?![\w])"), "AKIA"),
)
BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9._~+/=-]{16,})")
PLACEHOLDER = re.compile(r"(?i)x{3,}|\.{3}|…|<[^>]*>|\byour[-_ ]|changeme|change-me|placeholder|example|dummy|redacted|\*{3,}|replace")


def looks_random(value: str) -> bool:
    """Long, mixed and high-entropy: what a generated credential looks like (not a word or a path)."""
    if len(value) < 20 or " " in value or "/" in value.strip("/") and not value.startswith("sk-"):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    if classes < 2:
        return False
    counts = {c: value.count(c) for c in set(value)}
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.5


def is_reference(value: str) -> bool:
    """``$VAR``, ``${VAR}``, ``%VAR%``, ``os.environ/VAR``, ``{{ tmpl }}``: a pointer to a secret, not the secret."""
    v = value.strip().strip("'\"")
    return v.startswith(("$", "%", "os.environ/")) or "{{" in v


# --------------------------------------------------------------------------- the patterns

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,30}://)([^\s/?#@\"'`<>\[\]{}|\\^]+)@")
_QUERY = re.compile(r"(?i)([?&;][\w.-]*?(?:api[_-]?key|apikey|key|token|secret|password|passwd|pwd|sig|signature|auth"
                    r"|credentials?)=)([^&#\s\"'`<>\\]+)")
_AUTH_SCHEME = re.compile(r"\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{6,})")
# A credential-named variable or key, then = or :, then the value (quoted or not).
_CRED_NAME = (r"(?:[A-Za-z0-9_-]*[_-])?(?:api[_-]?key|apikey|auth[_-]?token|access[_-]?token|token|secret|password|passwd"
              r"|pwd|master[_-]?key|private[_-]?key|bearer[_-]?token)")
# Quotes may be escaped (the text may be JSON): a backslash is never part of a value.
_ASSIGNED_NAMED = re.compile(rf"(?i)(?<![\w-])({_CRED_NAME}(?:\\?[\"'])?\s*[=:]\s*(?:\\?[\"'])?)([^\s\"'`,;&<>(){{}}\[\]\\:=][^\s\"'`,;&<>(){{}}\[\]\\]*)")
# Any *KEY (env_key, x-api-key ...): only a value that looks generated.
_ASSIGNED_KEY = re.compile(r"""(?i)((?:[A-Z0-9_-]*(?:KEY|TOKEN|SECRET|PASSWORD)|api_?key|master_key|bearer_token)(?:\\?["'])?\s*[=:]\s*(?:\\?["'])?)"""
                           r"([A-Za-z0-9._~+/=-]{16,})")
_TOKEN = re.compile(r"(?<![\\\w+/.~-])[A-Za-z0-9][A-Za-z0-9+/=_.~-]{19,}")  # not the n of an escaped \n
_VAR_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_KEEP_VALUES = frozenset({"true", "false", "null", "none", "yes", "no", "on", "off", "set", "unset", "required", "optional"})


def _keep(value: str) -> bool:
    """A value after a credential name that is not itself a credential."""
    return (not any(c.isalnum() for c in value) or is_reference(value) or bool(PLACEHOLDER.search(value)) or value.lower() in _KEEP_VALUES
            or bool(_VAR_NAME.fullmatch(value)) or value.startswith("<"))


def keylike(token: str) -> bool:
    """A generated key inside any text: a long letters-and-digits run that changes character class
    every few characters (model names, dates, words and hex-free identifiers do not)."""
    for part in re.split(r"[-_.~/+=]", token):
        if len(part) < 20 or not re.search(r"[0-9]", part) or not re.search(r"[A-Za-z]", part):
            continue
        changes = sum(1 for a, b in zip(part, part[1:]) if _cls(a) != _cls(b))
        if changes * 3 >= len(part):
            return True
    return False


def _cls(c: str) -> int:
    return 0 if c.isdigit() else 1 if c.islower() else 2


def redact(text: str) -> tuple[str, int]:
    """``text`` with every credential replaced by ``<redacted>``, and how many were replaced."""
    if not text:
        return text, 0
    count = 0

    def userinfo(m: re.Match) -> str:
        nonlocal count
        info = m.group(2)
        user, colon, password = info.partition(":")
        if colon:
            if not password or is_reference(password):
                return m.group(0)
            count += 1
            return f"{m.group(1)}{user}:{REDACTED}@"
        if any(rx.match(info) for rx, _ in KEY_SHAPES) or looks_random(info) or keylike(info):
            count += 1
            return f"{m.group(1)}{REDACTED}@"
        return m.group(0)

    def query(m: re.Match) -> str:
        nonlocal count
        if is_reference(m.group(2)) or m.group(2).startswith("<"):
            return m.group(0)
        count += 1
        return m.group(1) + REDACTED

    def shape(m: re.Match) -> str:
        nonlocal count
        if PLACEHOLDER.search(m.group(0)):
            return m.group(0)
        count += 1
        return REDACTED

    def scheme(m: re.Match) -> str:
        nonlocal count
        value = m.group(3)
        if _keep(value) or not (re.search(r"[0-9._~+/=-]", value) or looks_random(value)):
            return m.group(0)  # "Bearer authentication", "Bearer $TOKEN"
        count += 1
        return f"{m.group(1)}{m.group(2)}{REDACTED}"

    def named(m: re.Match) -> str:
        nonlocal count
        if _keep(m.group(2)):
            return m.group(0)
        count += 1
        return m.group(1) + REDACTED

    def assigned(m: re.Match) -> str:
        nonlocal count
        if not looks_random(m.group(2)) or _keep(m.group(2)):
            return m.group(0)
        count += 1
        return m.group(1) + REDACTED

    def token(m: re.Match) -> str:
        nonlocal count
        if not keylike(m.group(0)):
            return m.group(0)
        count += 1
        return REDACTED

    if "://" in text and "@" in text:
        text = _USERINFO.sub(userinfo, text)
    if "=" in text:
        text = _QUERY.sub(query, text)
    for rx, _ in KEY_SHAPES:
        text = rx.sub(shape, text)
    text = _AUTH_SCHEME.sub(scheme, text)
    if "=" in text or ":" in text:
        text = _ASSIGNED_NAMED.sub(named, text)
        text = _ASSIGNED_KEY.sub(assigned, text)
    text = _TOKEN.sub(token, text)
    return text, count


def has_secret(text: str) -> bool:
    return bool(text) and redact(text)[1] > 0


# --------------------------------------------------------------------------- control characters

_OTHER = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"  # DEL, C1, bidi, separators
_CONTROLS_LINE = re.compile(f"[\x00-\x08\x0a-\x1f{_OTHER}]")  # TAB kept
_CONTROLS_BLOCK = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHER}]")  # TAB, LF and CRLF kept
# Our own colours (human output on a terminal): reset, bold, dim, red, green, yellow, blue, cyan;
# nothing that hides text or moves the cursor.
_OWN_SGR = re.compile(r"\x1b\[(?:0|1|2|31|32|33|34|36)m")


def _visible(m: re.Match) -> str:
    return f"\\u{ord(m.group(0)):04x}"


def escape_controls(text: str) -> str:
    """Every control character as ``\\uXXXX`` (one-line fields: LF and CR too; TAB kept)."""
    return _CONTROLS_LINE.sub(_visible, text)


def clean(text: str) -> str:
    """A one-line field as it may be shown: redacted, control characters visible."""
    if not isinstance(text, str):
        return text
    return escape_controls(redact(text)[0])


def clean_block(text: str) -> str:
    """Multi-line text as it may be shown: redacted, control characters visible except LF, TAB and CRLF."""
    return _CONTROLS_BLOCK.sub(_visible, redact(text)[0])


_LINE_COMMAND = re.compile(r"(?m)^([^\S\n]*)(?=::)")


def neutralise(text: str) -> str:
    """No line of ``text`` starts a GitHub Actions workflow command: the runner reads ``::cmd::``
    after leading whitespace and the legacy ``##[cmd]`` anywhere in a line."""
    if "::" in text:
        text = _LINE_COMMAND.sub(r"\1./", text)
    if "##[" in text:
        text = text.replace("##[", "## [")
    return text


class SafeStream:
    """A text stream whose every write is redacted, control-escaped and neutralised (see module doc).

    ``write_commands`` skips ``neutralise`` for the workflow commands the github format emits on
    purpose (that reporter neutralises every other line itself).
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._bol = True  # the next write starts a line

    def _clean(self, text: str) -> str:
        text = redact(text)[0]
        if _CONTROLS_BLOCK.search(text):
            parts = _OWN_SGR.split(text)
            sgr = _OWN_SGR.findall(text) + [""]
            text = "".join(_CONTROLS_BLOCK.sub(_visible, p) + sgr[i] for i, p in enumerate(parts))
        return text

    def _neutralise(self, text: str) -> str:
        if self._bol:
            out = neutralise(text)
        else:  # a write that continues a line: its start is not a line start
            head, nl, rest = text.partition("\n")
            out = head.replace("##[", "## [") + nl + (neutralise(rest) if rest else "")
        return out

    def write(self, text: str) -> int:
        out = self._neutralise(self._clean(text))
        self._bol = text.endswith("\n") or (self._bol and not text.strip())
        self._stream.write(out)
        return len(text)

    def write_commands(self, text: str) -> int:
        self._stream.write(self._clean(text))
        self._bol = text.endswith("\n") or (self._bol and not text.strip())
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
