"""FG7xx: credentials in docs, scripts and example configs. Messages never contain the secret."""

from __future__ import annotations

import re
from typing import Any, Iterator

from flowgate_lint import judgement as context
from flowgate_lint.documents.findings import Finding
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.redact import _SHAPE_NEEDLES, BEARER, KEY_SHAPES, PLACEHOLDER, looks_random, redact  # noqa: F401 (redact: re-exported)
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.scan import assignments, is_reference, text_pieces
from flowgate_lint.documents.source import Source
from flowgate_lint.documents.markdown import markdown_doc

ALL_KINDS = frozenset({"markdown", "shell", "toml", "json", "yaml", "dotenv"})

# The credential shapes live below the rules, in redact.py, shared with every output path.
SECRET_NAME = lazy(r"(?i)(?:^|_|-)(?:api_?key|key|token|secret|password|passwd|bearer_token|master_key|auth)$|apikey$")
_KEY_PREFIX = lazy(r"^(?:sk-(?:ant-(?:api|admin)\d*-|or-v\d+-|proj-|svcacct-|lm-)?|gh[pousr]_|AKIA)", re.I)


_NAMED: dict[str, bool] = {}  # the same keys and variable names come up in file after file


def _secret_name(name: str) -> bool:
    """Whether ``name`` is named like a credential (``SECRET_NAME``)."""
    known = _NAMED.get(name)
    if known is None:
        if len(_NAMED) > 4096:
            _NAMED.clear()
        known = _NAMED[name] = SECRET_NAME.search(name) is not None
    return known


# Generated keys are ASCII: "sk-c0e7fed7b-你的自定义Key" ("your own key") is written to be replaced.
_NON_ASCII = lazy(r"[^\x00-\x7f]")
# Words joined by dashes or underscores: "32-character-encryption-key-write-randomly", "my_super_secret".
_RUN = lazy(r"(.)\1{7,}")
_WORDS = lazy(r"(?:[a-z]{3,}|\d{1,3})(?:[-_](?:[a-z]{2,}|\d{1,3})){2,}")


def is_placeholder(value: str) -> bool:
    """A value written to be replaced: placeholder words and marks (``<your-key>``, ``sk-XXXX``, ``...``), plain
    words joined by dashes (also after a key prefix: ``sk-local-dev-key``), text in another script, or a body after the key prefix that no generator makes: a long run of one character (``sk-or-v1-aaaa…``), few
    distinct characters, or mostly ascending runs (``sk-1234567890abcdef…``)."""
    if PLACEHOLDER.search(value) or _NON_ASCII.search(value) or _WORDS.fullmatch(value.strip()):
        return True
    body = _KEY_PREFIX.sub("", value.strip())
    if not body or _WORDS.fullmatch(body):
        return True  # nothing after the prefix, or words a person wrote (sk-chatgpt-browser-local)
    if _RUN.search(body) or len(set(body.lower())) <= max(3, len(body) // 8):
        return True
    pairs = list(zip(body.lower(), body.lower()[1:]))
    steps = sum(1 for a, b in pairs if ord(b) - ord(a) == 1)
    return bool(pairs) and steps / len(pairs) >= 0.4


def describe(secret: str) -> str:
    """A description that reveals nothing but a well-known prefix and the length."""
    prefix = next((p for rx, p in KEY_SHAPES if rx.match(secret)), "")
    return f"{prefix}…(redacted, {len(secret)} chars)" if prefix else f"(redacted, {len(secret)} chars)"


@register
class LiteralSecret(Rule):
    """## What it does
    Finds literal credentials in example configs, doc snippets, prose and scripts: keys shaped
    like OpenAI/LiteLLM (`sk-…`), Anthropic (`sk-ant-…`), GitHub and AWS keys,
    `Authorization: Bearer <token>`, and long random values assigned to variables or keys named
    like credentials (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, `api_key`, `master_key`,
    `bearer_token`, `experimental_bearer_token`). The gateway config itself is checked too
    (a literal `master_key` there is a leak).

    ## When it deliberately does not fire
    - Placeholders: `<your-key>`, `your-api-key`, `sk-...`, `sk-XXXXXXXXXXXX`, `changeme`, values
      with `example`/`dummy`/`placeholder`; values whose body (after a known prefix such as `sk-`,
      `sk-ant-api03-`, `sk-or-v1-`) is a run of one character (`sk-or-v1-aaaaaaaa…`), uses very
      few distinct characters, or is mostly ascending runs (`sk-1234567890abcdef…`); plain words
      joined by dashes or underscores (`32-character-encryption-key-write-randomly`); values with
      text in another script (`sk-c0e7fed7b-你的自定义Key`, "your own key": real keys are ASCII).
    - Short test and documentation values (`sk-1234`, LiteLLM's documentation master key;
      `sk-test`), and references (`$VAR`, `${VAR}`, `os.environ/VAR`).
    - Identifiers that are not credentials (message ids, request ids): only credential-shaped
      keys and values assigned to credential-named keys are considered.

    The finding never prints the secret: only a known prefix and its length.

    ## Why is this bad?
    A real key in a repository is a leaked key. A realistic-looking fake one teaches readers
    to paste keys into files that get committed.

    ## Example
    ```sh
    export ANTHROPIC_AUTH_TOKEN=sk-ant-api03-…
    ```

    Use instead:
    ```sh
    export ANTHROPIC_AUTH_TOKEN="$GATEWAY_KEY"
    ```

    ## Fix
    None: rotate the key if it was real, then replace it with a reference or a placeholder.
    """

    code = "FG701"
    preview = True
    first_contact = "0 of 1 findings right (0.00) on first contact: batches 1-3 and FlowGate's history (eval/README.md)"
    name = "literal-secret"
    summary = "A literal credential instead of a placeholder or an environment reference"
    kinds = ALL_KINDS
    check_spec_file = True
    triggers = (r"sk-", r"bearer", r"key", r"token", r"secret", r"password", r"gh[pousr]_", r"AKIA")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        seen: list[tuple[int, int]] = []

        def report(start: int, end: int, secret: str, what: str) -> Iterator[Finding]:
            if any(a < end and start < b for a, b in seen):
                return
            seen.append((start, end))
            yield src.finding(self, start, end, f"{what} holds a literal credential {describe(secret)}; use a placeholder "
                                                "or an environment reference")

        for a in assignments(src):
            value = a.value.strip()
            if not _secret_name(a.name) or is_reference(value) or is_placeholder(value):
                continue
            if any(rx.match(value) for rx, _ in KEY_SHAPES) or looks_random(value):
                yield from report(a.start, a.end, value, a.name)
        if src.kind in ("json", "yaml", "toml"):
            try:
                leaves = src.leaves()
            except Exception:  # noqa: BLE001 - unparsable sources are FG001's
                leaves = []
            for leaf in leaves:
                value = leaf.value
                if not isinstance(value, str) or not isinstance(leaf.key, str) or not _secret_name(leaf.key):
                    continue
                if is_reference(value) or is_placeholder(value):
                    continue
                if any(rx.match(value) for rx, _ in KEY_SHAPES) or looks_random(value):
                    yield from report(leaf.start, leaf.end, value, str(leaf.key))
        for text, to_host in text_pieces(src):
            conv = to_host or (lambda i: i)
            for (rx, _), needle in zip(KEY_SHAPES, _SHAPE_NEEDLES):
                if needle not in text:
                    continue  # a literal every match holds
                for m in rx.finditer(text):
                    if not is_placeholder(m.group(0)):
                        yield from report(conv(m.start()), conv(m.end()), m.group(0), "text")
            for m in BEARER.finditer(text) if "Bearer" in text else ():
                token = m.group(1)
                if not is_reference(token) and not is_placeholder(token) and looks_random(token):
                    yield from report(conv(m.start(1)), conv(m.end(1)), token, "Authorization header")


# Another branch of an if or a case: "else", "elif", a case label ("gateway)"), ";;".
_BRANCH = lazy(r"^\s*(?:else\b|elif\b|[\w*|\"'.-]+\)\s*$|;;)", re.M)


@register
class DualAnthropicAuth(Rule):
    """## What it does
    Finds a script, env file, settings block or document that sets both
    `ANTHROPIC_AUTH_TOKEN` and `ANTHROPIC_API_KEY`.

    ## Why is this bad?
    Claude Code sends `ANTHROPIC_AUTH_TOKEN` as `Authorization: Bearer` (what LiteLLM expects)
    and `ANTHROPIC_API_KEY` as `x-api-key`; with both set it sends **both headers** on every
    request (measured with 2.1.332, `-p` mode prints no warning; some interactive versions warn
    of an auth conflict), and which one counts is the gateway's choice: a gateway that reads
    `x-api-key` first rejects the request with a key left over from direct Anthropic use, one
    that reads the bearer token accepts it, so the setup works by accident. That left-over
    `ANTHROPIC_API_KEY` also overrides a subscription login. Set one (for a gateway, the token)
    and unset the other.

    ## When it deliberately does not fire
    - When only one of them is set, or one is set to an empty value (`ANTHROPIC_API_KEY=`,
      `"ANTHROPIC_API_KEY": ""`) or unset (`unset ANTHROPIC_API_KEY`).
    - A mention of a name without a value, and comment lines of scripts and env files; in
      Markdown, blocks in languages it does not check (`python`, `text`, untagged).
    - A document is read section by section: a "Direct Anthropic" section with `ANTHROPIC_API_KEY`
      and a "Through the gateway" section with `ANTHROPIC_AUTH_TOKEN` are two setups. Each section
      that sets both is reported once; history sections are skipped.
    - A script that sets them in two branches of an `if` or a `case`.
    - The gateway config file itself.

    ## Example
    ```sh
    export ANTHROPIC_AUTH_TOKEN="$GATEWAY_KEY"
    export ANTHROPIC_API_KEY="$GATEWAY_KEY"
    ```

    Use instead:
    ```sh
    export ANTHROPIC_AUTH_TOKEN="$GATEWAY_KEY"
    unset ANTHROPIC_API_KEY
    ```

    ## Fix
    None: which one to keep depends on the gateway.
    """

    code = "FG702"
    name = "dual-anthropic-auth"
    summary = "Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set"
    severity = "warning"
    kinds = ALL_KINDS
    triggers = (r"ANTHROPIC_API_KEY",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.embedded:
            return  # reported by the whole document, section by section
        text = src.text
        if "\\" not in text and ("ANTHROPIC_AUTH_TOKEN" not in text or "ANTHROPIC_API_KEY" not in text):
            return  # both names must be written out (or spelled with escapes, in a quoted key)
        found = [a for a in assignments(src) if a.value.strip() not in ("", '""', "''")]
        if src.kind == "markdown":
            for f in markdown_doc(src).fences:
                if f.source is not None and f.source.kind in ("shell", "dotenv", "json", "yaml", "toml"):
                    try:
                        found += [a._replace(start=f.source.to_host(a.start), end=f.source.to_host(a.end),
                                             name_start=f.source.to_host(a.name_start), name_end=f.source.to_host(a.name_end))
                                  for a in assignments(f.source) if a.value.strip()]
                    except Exception:  # noqa: BLE001 - unparsable blocks are FG001's
                        continue
        found = [a for a in found if a.name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")]
        groups: dict[object, list] = {}
        for a in found:
            if src.kind == "markdown":
                # One setup per section: "Direct Anthropic" and "Through the gateway" are two setups.
                sec = context.section_at(src, ctx, a.start)
                if sec.history:
                    continue
                groups.setdefault((sec.start_line, sec.end_line), []).append(a)
            else:
                groups.setdefault(None, []).append(a)
        for group in groups.values():
            token = [a for a in group if a.name == "ANTHROPIC_AUTH_TOKEN"]
            api_key = [a for a in group if a.name == "ANTHROPIC_API_KEY"]
            if not token or not api_key:
                continue
            first, second = sorted((token[0], api_key[0]), key=lambda a: a.name_start)
            if src.kind == "shell" and _BRANCH.search(src.text, first.name_end, second.name_start):
                continue  # set in two branches of an if / case: never both at once
            yield src.finding(self, second.name_start, second.name_end,
                              "both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set (Claude Code sends both headers); "
                              "keep ANTHROPIC_AUTH_TOKEN for the gateway and unset ANTHROPIC_API_KEY")
