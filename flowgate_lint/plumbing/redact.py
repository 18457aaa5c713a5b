"""The one path everything flowgate-lint shows or stores goes through: credentials redacted,
control characters made visible, CI workflow commands neutralised.

- ``redact(text)``: credentials replaced by ``<redacted>``: passwords in URLs (``user:<redacted>@``),
  key-like query parameters (``?api_key=<redacted>``), known key shapes (``sk-…``, ``sk-ant-…``,
  GitHub, AWS and Slack keys), PEM private keys, ``Bearer``/``Basic`` credentials, ``curl -u``/``--user``
  passwords and credential flags' values (``--api-key VALUE``), values assigned to credential-named
  variables and keys (``*_TOKEN``, ``*_API_KEY``, ``password``, ``env_key`` holding a key ...), and
  long random tokens anywhere (a key pasted into a model field). References (``$VAR``,
  ``${VAR}``, ``os.environ/VAR``), placeholders, variable names, type names, the words of a sentence
  after a credential name (``the password: is required``), digests (``sha256:…``), commit SHAs in
  URLs and data-URI payloads are kept.
- ``clean(text)``: ``redact`` plus every control character (CR, LF, ESC, DEL, C1, bidirectional
  overrides) written as a visible ``\\uXXXX``, for one-line fields (paths, messages).
- ``clean_block(text)``: the same for multi-line text (LF, TAB and CRLF kept), for diffs.
- ``clean_patch(text, terminal)``: a ``--diff`` patch: redacted, only the lines a CI runner would execute
  neutralised, every other byte kept (on a terminal, control characters visible), and why it may not apply.
- ``neutralise(text)``: no line can start a GitHub Actions workflow command (``::cmd::`` at the
  start of a line, ``##[cmd]`` anywhere in it).
- ``SafeStream``: stdout/stderr wrapped by the command line, so every line any command prints has
  gone through ``redact``, the control-character escape and ``neutralise``.

Reporters, the baseline, the result cache and the commands all call these; nothing else decides
what a secret looks like.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from flowgate_lint.plumbing.lazyre import lazy

REDACTED = "<redacted>"

# Known key shapes: (regex, prefix that may be shown).
KEY_SHAPES = (
    (lazy(r"(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}"), "sk-ant-"),
    (lazy(r"(?<![\w-])sk-(?:proj-)?[A-Za-z0-9_-]{20,}"), "sk-"),
    (lazy(r"(?<![\w-])gh[pousr]_[A-Za-z0-9]{30,}"), "gh*_"),
    (lazy(r"(?<![\w-])AKIA[0-9A-Z]{16}(?![\w])"), "AKIA"),
    (lazy(r"(?<![\w-])xox[abposre]-[A-Za-z0-9-]{10,}"), "xox*-"),  # Slack bot, user, app tokens
    (lazy(r"(?<![\w-])xapp-[0-9]-[A-Za-z0-9-]{10,}"), "xapp-"),
)
BEARER = lazy(r"\bBearer\s+([A-Za-z0-9._~+/=-]{16,})")
PLACEHOLDER = lazy(r"(?i)x{3,}|\.{3}|…|<[^>]*>|\byour[-_ ]|changeme|change-me|placeholder|example|dummy|redacted|\*{3,}|replace")


def looks_random(value: str) -> bool:
    """Long, mixed and high-entropy: what a generated credential looks like (not a word or a path)."""
    if len(value) < 20 or " " in value or "/" in value.strip("/") and not value.startswith("sk-"):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    if classes < 2:
        return False
    import math  # not at import: few runs get here

    counts = {c: value.count(c) for c in set(value)}
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.5


def is_reference(value: str) -> bool:
    """``$VAR``, ``${VAR}``, ``%VAR%``, ``os.environ/VAR``, ``{{ tmpl }}``: a pointer to a secret, not the secret."""
    v = value.strip().strip("'\"")
    return v.startswith(("$", "%", "os.environ/")) or "{{" in v


# --------------------------------------------------------------------------- the patterns

# Every pattern starts at a literal or a keyword (no leading run to backtrack over), and is tried only
# when a cheap substring test says it could match: redaction runs over every line of every output.
# The name patterns are matched against the lower-cased text (much faster than IGNORECASE), their
# spans used on the original.
_USERINFO = lazy(r"://([^\s/?#@\"'`<>\[\]{}|\\^]+)@")
_QUERY = lazy(r"([?&;][\w.-]*?(?:api[_-]?key|apikey|key|token|secret|password|passwd|pwd|sig|signature|auth"
              r"|credentials?)=)([^&#\s\"'`<>\\]+)")
_AUTH_SCHEME = lazy(r"\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{6,})")
# A credential-named variable or key (its name ends in one of these words), then = or :, then the
# value, quoted or not. Quotes may be escaped (the text may be JSON): a backslash is never part of a value.
_SEPARATOR = r"((?:\\*[\"'])?\s*[=:]\s*(?:\\*[\"'])?)"  # quotes escaped any number of times
_ASSIGNED_NAMED = lazy(r"(?<![A-Za-z0-9])(api[_-]?key|apikey|auth[_-]?token|access[_-]?token|token|secret|password"
                       r"|passwd|pwd|master[_-]?key|private[_-]?key|bearer[_-]?token)" + _SEPARATOR
                       + r"([^\s\"'`,;&<>(){}\[\]\\:=][^\s\"'`,;&<>(){}\[\]\\]*)")
# Any *KEY, *TOKEN ... (env_key, x-api-key): only a value that looks generated.
_ASSIGNED_KEY = lazy(r"(key|token|secret|password)" + _SEPARATOR + r"([A-Za-z0-9._~+/=-]{16,})")
# A command-line credential: curl's ``-u``/``--user user:password`` (also ``--proxy-user``, ``-U``) and a
# credential-named flag followed by its value (``--api-key VALUE``; ``--api-key=VALUE`` is an assignment).
_CLI_USER = lazy(r"(?<![\w-])(?:-u|-U|--user|--proxy-user)(?:[ \t]*=[ \t]*|[ \t]*)(\\*[\"']?)([^\s:\"'`\\]+):([^\s\"'`\\]+)")
_PASSWORD_WORDS = frozenset({"password", "pass", "passwd", "pwd", "secret", "token", "key", "apikey", "api_key"})  # user:password
_CLI_FLAG = lazy(r"(?<![\w-])(--?(?:api[_-]?key|apikey|auth[_-]?token|access[_-]?token|bearer[_-]?token|token|secret"
                 r"|client[_-]?secret|password|passwd|master[_-]?key))([ \t]+(?:\\*[\"'])?)"
                 r"([^\s\"'`,;&|<>(){}\[\]\\-][^\s\"'`,;&|<>(){}\[\]\\]*)")
# A PEM private key: the header through the footer (or as far as its body goes: a key cut across lines).
# Its body is base64, whitespace and escaped line breaks (the text may be JSON): it stops at anything else.
_PEM = lazy(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----((?:[A-Za-z0-9+/=\s]|\\+[nrt])*)(-----END [A-Z0-9 ]*PRIVATE KEY-----)?")
_PEM_GAP = lazy(r"(?:\s|\\+[nrt])*")
# A long base64 run with + or / in it (a PEM body line, a key shown alone), which splits into pieces too short for
# keylike: redacted when it changes character class as often as generated text does.
_B64_RUN = lazy(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")
# Values that are not secrets although they look like one, kept whole: digests (``sha256:<hex>``, an
# image ``@sha256:``), commit and tree SHAs in a URL path, and data-URI payloads.
_PROTECT = lazy(r"(?i)(?<![A-Za-z0-9])sha(?:1|224|256|384|512)[:=][0-9a-f]{32,128}(?![A-Za-z0-9])"
                r"|/(?:commit|commits|tree|blob|blame|raw|compare|src|archive|-/commit|-/tree|-/blob)/[0-9a-f]{7,64}(?![A-Za-z0-9])"
                r"|\bdata:[a-z]+/[\w.+-]+(?:;[\w.=-]+)*;base64,[A-Za-z0-9+/]+={0,2}")
_PROTECT_NEEDLES = ("sha", "SHA", "data:", "/commit", "/tree/", "/blob/", "/blame/", "/raw/", "/compare/", "/src/",
                    "/archive/")
_SENTINEL = lazy("\ue000([0-9]+)\ue001")
_NAME_WORDS = ("key", "token", "secret", "pass", "pwd")
_TOKEN = lazy(r"[A-Za-z0-9+/=_.~-]{20,}")
_SHAPE_NEEDLES = ("sk-", "sk-", "gh", "AKIA", "xox", "xapp-")  # one per KEY_SHAPES entry
_VAR_NAME = lazy(r"[A-Z][A-Z0-9_]*")
_KEEP_VALUES = frozenset({"true", "false", "null", "none", "yes", "no", "on", "off", "set", "unset", "required", "optional",
                          # type names: "token: string", "api_key: str | None", "password: SecretStr"
                          "string", "str", "bytes", "int", "integer", "number", "float", "bool", "boolean", "object",
                          "array", "list", "dict", "map", "any", "text", "secretstr", "undefined", "optional[str]"})
_DOTTED_NUMBER = lazy(r"v?[0-9]+(?:\.[0-9]+)+")  # 0.0.0.0, 127.0.0.1, 1.2.3
_WORD = lazy(r"[A-Za-z][a-z]*")
_MORE_WORDS = lazy(r"[ \t]+\(?[A-Za-z][a-z]*(?=[ \t.,;!?)]|:(?![/\\])|$)")  # a next word, not a URL or a path
# What follows a credential flag in a sentence ("use --password with care", "--api-key is required").
_FLAG_PROSE = frozenset({"is", "are", "was", "with", "to", "and", "or", "for", "the", "a", "an", "if", "when", "only",
                         "instead", "as", "in", "on", "of", "from", "at", "must", "should", "can", "may", "not", "flag",
                         "option", "argument", "takes", "sets", "overrides", "wins", "too", "also"})


def _keep(value: str) -> bool:
    """A value after a credential name that is not itself a credential: a reference, a placeholder, a
    variable name ("OPENAI_API_KEY:" in a sentence), a type name, an address or version."""
    if value and value[-1] in ".,:;!?" and _keep(value.rstrip(".,:;!?")):
        return True  # "OPENAI_API_KEY:" in a sentence: the punctuation is not part of the value
    return (not any(c.isalnum() for c in value) or is_reference(value) or bool(PLACEHOLDER.search(value)) or value.lower() in _KEEP_VALUES
            or bool(_VAR_NAME.fullmatch(value)) or value.startswith("<") or bool(_DOTTED_NUMBER.fullmatch(value)))


_SPLIT = lazy(r"[-_.~/+=]")
_DIGIT = lazy(r"[0-9]")
_LETTER = lazy(r"[A-Za-z]")


def keylike(token: str) -> bool:
    """A generated key inside any text: a long letters-and-digits run that changes character class
    every few characters (model names, dates, words and hex-free identifiers do not)."""
    for part in _SPLIT.split(token):
        if len(part) < 20 or not _DIGIT.search(part) or not _LETTER.search(part):
            continue
        changes = sum(1 for a, b in zip(part, part[1:]) if _cls(a) != _cls(b))
        if changes * 3 >= len(part):
            return True
    return False


def _cls(c: str) -> int:
    return 0 if c.isdigit() else 1 if c.islower() else 2 if c.isupper() else 3


def redact(text: str) -> tuple[str, int]:
    """``text`` with every credential replaced by ``<redacted>``, and how many were replaced."""
    if not text:
        return text, 0
    if len(text) <= 512:  # messages repeat across files: remember the short ones
        return _redact_short(text)
    return _redact(text)


@functools.lru_cache(maxsize=8192)
def _redact_short(text: str) -> tuple[str, int]:
    return _redact(text)


# The substitutions: each returns the match unchanged or with the credential replaced by REDACTED.

def _userinfo(m: re.Match) -> str:
    info = m.group(1)
    user, colon, password = info.partition(":")
    if colon:
        return m.group(0) if not password or is_reference(password) else f"://{user}:{REDACTED}@"
    if any(rx.match(info) for rx, _ in KEY_SHAPES) or looks_random(info) or keylike(info):
        return f"://{REDACTED}@"
    return m.group(0)


def _query(text: str, m: re.Match) -> str | None:
    value = text[m.start(2):m.end(2)]
    return None if is_reference(value) or value.startswith("<") else text[m.start(1):m.end(1)] + REDACTED


def _shape(m: re.Match) -> str:
    return m.group(0) if PLACEHOLDER.search(m.group(0)) else REDACTED


def _scheme(m: re.Match) -> str:
    value = m.group(3)
    if _keep(value) or not (re.search(r"[0-9._~+/=-]", value) or looks_random(value)):
        return m.group(0)  # "Bearer authentication", "Bearer $TOKEN"
    return f"{m.group(1)}{m.group(2)}{REDACTED}"


def _prose(text: str, m: re.Match, group: int) -> bool:
    """Whether the unquoted value ``group`` of ``m`` is a word in a sentence ("never OPENAI_API_KEY: Codex
    reads", "the password: is required"), not a value: a plain word with more words after it on its line."""
    sep = text[m.start(group - 1):m.end(group - 1)]
    if sep[-1:] in "\"'" or not sep[-1:].isspace():
        return False  # quoted, or attached (NAME=value cmd): a value, whatever it says
    return bool(_WORD.fullmatch(text, m.start(group), m.end(group))) and bool(_MORE_WORDS.match(text, m.end(group)))


def _named(text: str, m: re.Match) -> str | None:
    value = text[m.start(3):m.end(3)]
    return None if _keep(value) or _prose(text, m, 3) else text[m.start(1):m.end(2)] + REDACTED


def _cli_user(m: re.Match) -> str:
    user, password = m.group(2), m.group(3)
    if _keep(password) or password.isdigit() or password == user or is_reference(user + ":" + password) \
            or password.lower() in _PASSWORD_WORDS:
        return m.group(0)  # "-u 1000:1000", "--user app:app", "-u $USER:$PASS"
    return m.group(0)[:m.start(3) - m.start()] + REDACTED


def _cli_flag(text: str, m: re.Match) -> str | None:
    value = text[m.start(3):m.end(3)]
    quoted = text[m.end(2) - 1:m.end(2)] in ("\"", "'")
    prose = value.lower().rstrip(".,;:!?") in _FLAG_PROSE and not quoted
    return None if _keep(value) or prose else text[m.start(1):m.end(2)] + REDACTED


def _pem(m: re.Match) -> str:
    body = m.group(2)
    if body.strip() and PLACEHOLDER.search(body) and not keylike(body.replace("\n", "")):
        return m.group(0)  # "-----BEGIN PRIVATE KEY-----\nxxxx\n-----END PRIVATE KEY-----"
    if _PEM_GAP.fullmatch(body) and PLACEHOLDER.match(m.string, m.end()):
        return m.group(0)  # "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"
    lead = body[:len(body) - len(body.lstrip())]
    trail = body[len(body.rstrip()):] if body.strip() else ""
    return f"-----BEGIN {m.group(1)}PRIVATE KEY-----{lead}{REDACTED}{trail}{m.group(3) or ''}"


def _b64_run(m: re.Match) -> str:
    run = m.group(0).rstrip("=")
    if "+" not in run and "/" not in run or not (_DIGIT.search(run) and _LETTER.search(run)):
        return m.group(0)
    changes = sum(1 for a, b in zip(run, run[1:]) if _cls(a) != _cls(b))
    return REDACTED if changes * 2 >= len(run) else m.group(0)


def _assigned(text: str, m: re.Match) -> str | None:
    value = text[m.start(3):m.end(3)]
    return None if not looks_random(value) or _keep(value) else text[m.start(1):m.end(2)] + REDACTED


def _sub_folded(rx: re.Pattern, fn: Any, text: str) -> str:
    """``rx.sub`` case-insensitively: ``rx`` (lower-case) runs over ``text.lower()``; ``fn(text, match)``
    gives the replacement of a span of ``text`` (None: keep it)."""
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer: go character by character
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    out, last = [], 0
    for m in rx.finditer(low):
        new = fn(text, m)
        if new is not None:
            out.append(text[last:m.start()])
            out.append(new)
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _token(m: re.Match) -> str:
    run, start = m.group(0), m.start()
    lead = ""
    if start and m.string[start - 1] == "\\":  # the n of an escaped \n (JSON): keep it, look at the rest
        lead, run = run[0], run[1:]
    return lead + REDACTED if keylike(run) else m.group(0)


def _redact(text: str) -> tuple[str, int]:
    before = text.count(REDACTED)
    if not ("=" in text or ":" in text or "@" in text or "sk-" in text or "gh" in text or "AKIA" in text
            or "Bearer" in text or "Basic" in text or "xox" in text or "xapp-" in text or "--" in text):
        # the usual case: only a generated-looking token could be here
        if len(text) < 20 or not any(keylike(m.group(0)) for m in _TOKEN.finditer(text)) and not _B64_RUN.search(text):
            return text, 0
    kept: list[str] = []
    if "\ue000" not in text and any(w in text for w in _PROTECT_NEEDLES):
        text = _PROTECT.sub(lambda m: kept.append(m.group(0)) or f"\ue000{len(kept) - 1}\ue001", text)
    text = _redact_protected(text)
    if kept:
        text = _SENTINEL.sub(lambda m: kept[int(m.group(1))], text)
    return text, text.count(REDACTED) - before


def _redact_protected(text: str) -> str:
    if "-----BEGIN" in text and "PRIVATE KEY-----" in text:
        text = _PEM.sub(_pem, text)
    if "-u" in text or "-U" in text or "--user" in text or "--proxy-user" in text:
        text = _CLI_USER.sub(_cli_user, text)
    if "-" in text:
        low = text.lower()
        if any(w in low for w in _NAME_WORDS):
            text = _sub_folded(_CLI_FLAG, _cli_flag, text)
    if "@" in text and "://" in text:
        text = _USERINFO.sub(_userinfo, text)
    if "=" in text and ("?" in text or "&" in text or ";" in text):
        text = _sub_folded(_QUERY, _query, text)
    for (rx, _), needle in zip(KEY_SHAPES, _SHAPE_NEEDLES):
        if needle in text:
            text = rx.sub(_shape, text)
    if "Bearer" in text or "Basic" in text:
        text = _AUTH_SCHEME.sub(_scheme, text)
    if "=" in text or ":" in text:
        low = text.lower()
        if any(w in low for w in _NAME_WORDS):
            text = _sub_folded(_ASSIGNED_NAMED, _named, text)
            text = _sub_folded(_ASSIGNED_KEY, _assigned, text)
    if len(text) >= 20:
        text = _TOKEN.sub(_token, text)
    if len(text) >= 40 and ("+" in text or "/" in text):
        text = _B64_RUN.sub(_b64_run, text)
    return text


def has_secret(text: str) -> bool:
    return bool(text) and redact(text)[1] > 0


# --------------------------------------------------------------------------- control characters

_OTHER = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"  # DEL, C1, bidi, separators
_CONTROLS_LINE = lazy(f"[\x00-\x08\x0a-\x1f{_OTHER}]")  # TAB kept
_CONTROLS_BLOCK = lazy(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHER}]")  # TAB, LF and CRLF kept
# Our own colours (human output on a terminal): reset, bold, dim, red, green, yellow, blue, cyan;
# nothing that hides text or moves the cursor.
_OWN_SGR = lazy(r"\x1b\[(?:0|1|2|31|32|33|34|36)m")


def _visible(m: re.Match) -> str:
    return f"\\u{ord(m.group(0)):04x}"


def escape_controls(text: str) -> str:
    """Every control character as ``\\uXXXX`` (one-line fields: LF and CR too; TAB kept)."""
    return text if text.isprintable() else _CONTROLS_LINE.sub(_visible, text)


def clean(text: str) -> str:
    """A one-line field as it may be shown: redacted, control characters visible."""
    if not isinstance(text, str):
        return text
    return escape_controls(redact(text)[0])


def clean_block(text: str) -> str:
    """Multi-line text as it may be shown: redacted, control characters visible except LF, TAB and CRLF."""
    return _CONTROLS_BLOCK.sub(_visible, redact(text)[0])


_LINE_COMMAND = lazy(r"(?m)^([^\S\n]*)(?=::)")


def neutralise(text: str) -> str:
    """No line of ``text`` starts a GitHub Actions workflow command: the runner reads ``::cmd::``
    after leading whitespace and the legacy ``##[cmd]`` anywhere in a line."""
    if "::" in text:
        text = _LINE_COMMAND.sub(r"\1./", text)
    if "##[" in text:
        text = text.replace("##[", "## [")
    return text


# Exactly what the runner reads as a workflow command: ``::name ...::`` after leading whitespace (a name
# starts with a letter, so ``:::`` admonitions are not commands) and the legacy ``##[name ...]`` anywhere.
_RUNNER_COMMAND = lazy(r"(?m)^([^\S\n]*)(::[A-Za-z][^\n]*?::)|##(\[[A-Za-z][\w.-]*(?:\]| [^\n]*?\]))")


def neutralise_patch(text: str) -> tuple[str, int]:
    """``text`` (a patch) with only the lines the runner would execute as workflow commands neutralised,
    and how many: every other line is kept byte for byte, so the patch still applies."""
    if "::" not in text and "##[" not in text:
        return text, 0
    lines: set[int] = set()

    def fix(m: re.Match) -> str:
        lines.add(text.rfind("\n", 0, m.start()))  # the line, by where it starts
        return f"{m.group(1)}./{m.group(2)}" if m.group(2) is not None else f"## {m.group(3)}"

    return _RUNNER_COMMAND.sub(fix, text), len(lines)


def clean_patch(text: str, terminal: bool) -> tuple[str, list[str]]:
    """A patch as it may be printed, and why it may no longer apply (empty: it applies as is).

    Credentials are redacted and workflow-command lines neutralised; every other byte is kept (form
    feeds, lone CRs, escape characters: the file holds them). On a terminal control characters are
    shown as ``\\uXXXX`` too, so a file cannot draw on it."""
    text, hidden = redact(text)
    text, commands = neutralise_patch(text)
    why = [f"{hidden} credential(s) redacted"] if hidden else []
    if commands:
        why.append(f"{commands} line(s) GitHub Actions would run as workflow commands rewritten")
    if terminal and _CONTROLS_BLOCK.search(text):
        text = _CONTROLS_BLOCK.sub(_visible, text)
        why.append("control characters shown as \\uXXXX on the terminal")
    return text, why


class SafeStream:
    """A text stream whose every write is redacted, control-escaped and neutralised (see module doc).

    ``write_report`` is for a rendered report, whose every field ``report.sanitize`` has redacted
    already: only control characters and workflow commands are handled again; with ``commands`` the
    workflow commands are kept (the github format emits them on purpose, and neutralises every other
    line itself).
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._bol = True  # the next write starts a line

    def _clean(self, text: str, redacted: bool = False) -> str:
        if not redacted:
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

    def write_report(self, text: str, commands: bool = False) -> int:
        clean = self._clean(text, redacted=True)
        self._stream.write(clean if commands else self._neutralise(clean))
        self._bol = text.endswith("\n") or (self._bol and not text.strip())
        return len(text)

    def write_exact(self, text: str) -> int:
        """Write ``text`` as it is: for a patch its caller made safe with ``clean_patch`` (escaping or
        neutralising it again would change its bytes)."""
        self._stream.write(text)
        self._bol = text.endswith("\n") or (self._bol and not text)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
