"""FG2xx: smoke scripts must probe the Claude Code endpoints, and fail when they break.

A smoke script is a shell script file (not a snippet in a doc) that probes the gateway and whose
name (smoke, acceptance, healthcheck, sanity, self-test, verify-gateway, check_proxy...) or a
"smoke test" comment marks it as a check of the gateway as a whole. A feature's own test script
(test_pii_detection.sh, verify_function_call.sh) is not one.
"""

import re
from typing import Any, Iterator, NamedTuple

from flowgate_lint.documents.findings import SAFE, UNSAFE, Finding, Fix
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.source import Source

# A check of the gateway as a whole, by name. A feature's own test ("test_pii_detection.sh", "verify_function_call.sh",
# "test_redact_mode_e2e.sh") is not: it probes what it tests, and need not probe every client endpoint.
SMOKE_NAME = lazy(r"(?i)(?:^|/)[^/]*(?:smoke|acceptance|health-?check|self-?test|sanity"
                  r"|(?:verify|check|test|e2e)[-_]?(?:the[-_])?(?:gateway|proxy|setup|install|clients?|litellm|flowgate|stack))[^/]*$"
                  r"|(?:^|/)(?:verify|check|e2e|end-to-end)(?:\.\w+)?$")  # the repository's one verify.sh / e2e.sh
SMOKE_WORDS = lazy(r"(?i)\b(?:smoke[- ]?tests?|acceptance[- ]?tests?)\b")
BEGIN = "# flowgate-lint:begin claude-probe"
END = "# flowgate-lint:end"
SUCCESS = lazy(r"""^\s*(?:echo|printf)\b[^\n]*(?:\bok\b|pass|success|succeeded|all good|done|✓|✔)|^\s*exit\s+0\s*$""", re.I)


class Probe(NamedTuple):
    start: int  # offsets of the command (continuation lines joined) in src.text
    end: int
    text: str
    path: str  # "/v1/messages", "/v1/messages/count_tokens", ...
    route_at: int = -1  # where the path is written: the command, or the variable assignment it uses


def _commands(text: str) -> Iterator[tuple[int, int, str]]:
    """Logical lines (backslash continuations joined), with their offsets; comments dropped."""
    pos = 0
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        start = pos
        parts = []
        while True:
            line = lines[i]
            pos += len(line)
            body = line.rstrip("\r\n")
            i += 1
            if body.endswith("\\") and i < len(lines):
                parts.append(body[:-1])
                continue
            parts.append(body)
            break
        joined = " ".join(parts)
        if not joined.lstrip().startswith("#"):
            yield start, pos, joined


_CLIENT_CMD = lazy(r"(?<![\w/.:-])(?:curl|wget|http|https|xh)(?=\s)")
_ECHO = lazy(r"\s*(?:echo|printf|:)\s")


_ROUTE = lazy(r"/v1/messages(?:/count_tokens)?\b")
# ``probe_url="$base/v1/messages/count_tokens"``: a variable holding a probe's route, used by a later curl.
_ROUTE_VAR = lazy(r"^\s*(?:(?:local|export|readonly|declare(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*)=")
_VAR_USE = lazy(r"\$\{?([A-Za-z_]\w*)")


def probes(src: Source) -> list[Probe]:
    out = []
    routes: dict[str, tuple[str, int]] = {}  # variable -> (route, offset of its assignment)
    for start, end, cmd in _commands(src.text):
        # The client as a command word (HTTPie's "http POST ..."), not "http" inside a URL or an echoed message.
        if not _CLIENT_CMD.search(cmd) or _ECHO.match(cmd):
            assigned = _ROUTE_VAR.match(cmd)
            route = _ROUTE.search(cmd) if assigned else None
            if assigned and route:
                routes[assigned.group(1)] = (route.group(0), start)
            continue
        m = _ROUTE.search(cmd)
        if m is not None:
            at = src.text.find(m.group(0), start, end)  # on its own continuation line, maybe
            out.append(Probe(start, end, cmd, m.group(0), at if at >= 0 else start))
            continue
        used = next((routes[v.group(1)] for v in _VAR_USE.finditer(cmd) if v.group(1) in routes), None)
        if used is not None:
            out.append(Probe(start, end, cmd, used[0], used[1]))
    return out


def _piped(cmd: str) -> bool:
    """Whether the curl/wget output goes into a pipe (``curl ... | jq``), quotes aside."""
    unquoted = re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", "''", cmd)
    m = re.search(r"\b(?:curl|wget)\b", unquoted)
    return m is not None and re.search(r"(?<!\|)\|(?![|&])", unquoted[m.end():]) is not None


def _pipe_at(text: str, probe: Probe) -> int | None:
    """Offset of the pipe after the curl/wget of ``probe`` in the script text (quotes skipped)."""
    segment = text[probe.start:probe.end]
    unquoted = re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", lambda m: "_" * len(m.group(0)), segment)
    m = re.search(r"\b(?:curl|wget)\b", unquoted)
    pipe = re.search(r"(?<!\|)\|(?![|&])", unquoted[m.end():]) if m else None
    return probe.start + m.end() + pipe.start() if pipe else None


def can_fail(probe: Probe, text: str) -> bool:
    """Whether a failed (404/5xx) probe can fail the script."""
    cmd = probe.text
    if re.search(r"\|\|\s*(?:true|:)(?![\w-])", cmd):
        return False
    if _piped(cmd) and not re.search(r"(?m)^[^#\n]*\bset\b[^#\n]*\bpipefail\b", text):
        return False  # without pipefail a pipeline's status is its last command's: curl's failure is lost
    if re.search(r"(?:^|\s)(?:-f|-[a-zA-Z]*f[a-zA-Z]*|--fail|--fail-with-body)(?:\s|$)", cmd) and "curl" in cmd:
        return True
    if "wget" in cmd and "--content-on-error" not in cmd:
        return True  # wget exits non-zero on HTTP errors
    if re.search(r"http_code|%\{response_code\}", cmd):
        after = text[probe.end:probe.end + 2000]
        return bool(re.search(r"(?:\[|test|case|if)\b[^\n]*(?:code|status)|(?:code|status)[^\n]*(?:-ge|-lt|-ne|-eq|!=|=)", after))
    if _checked_capture(cmd, text[probe.end:probe.end + 2000]):
        return True
    return bool(re.search(r"\|\|\s*(?:exit|return|fail|die|false)\b", cmd))


_CAPTURE = lazy(r"^\s*(?:local\s+|export\s+|readonly\s+)?([A-Za-z_]\w*)=\$\(")
_FAILS = lazy(r"\b(?:exit\s+[1-9]\d*|return\s+[1-9]\d*|fail|die|false)\b")


def _checked_capture(cmd: str, after: str) -> bool:
    """``response=$(curl ...)`` whose body a test after it checks, with a branch that fails the script
    (``if echo "$response" | jq -e '.content' ...; else ... exit 1``): a 404 or 5xx body fails that test."""
    m = _CAPTURE.match(cmd)
    if m is None:
        return False
    used = re.compile(rf"\$\{{?{re.escape(m.group(1))}\b")
    lines = after.split("\n")[:40]
    for i, line in enumerate(lines):
        if used.search(line) and re.search(r"(?:^|[\s;&|(])(?:if|elif|while|until|test|\[\[?)\s|\|\||&&", line):
            if any(_FAILS.search(x) for x in lines[i:i + 12]):
                return True
    return False


def checks_the_gateway(src: Source, ctx: Any) -> bool:
    """Whether a script named like a smoke test checks this gateway: it calls a client API path, or one of
    its literal URLs targets the gateway (context model). A script whose only URLs are another
    service's ("http://localhost:8080/providers") is another service's smoke test."""
    from flowgate_lint import judgement as cm

    urls = [u for u in cm.find_urls(src.text) if cm.host_class(u.host, ctx.spec) in ("loopback", "any", "spec")]
    if not urls:
        return True  # the address comes from elsewhere ($GATEWAY_URL): judged by its name
    if all(u.port in ctx.spec.gateway.also for u in urls):
        return False  # a check of the gateway's other listener (gateway-ports), not of its Claude Code endpoint
    for u in urls:
        if cm.is_client_path(u.path) or cm.judge(src, ctx, u.start, u.end, url=u).is_gateway:
            return True
    return bool(re.search(r"/v1/(?:messages|models|chat/completions|responses)\b", src.text))


def is_smoke_script(src: Source, ctx: Any) -> bool:
    if src.embedded or src.kind != "shell":
        return False
    if BEGIN in src.text:
        return True
    return bool(SMOKE_NAME.search(src.path) or SMOKE_WORDS.search(src.text)) and checks_the_gateway(src, ctx)


def managed_block(src: Source) -> tuple[int, int] | None:
    """Span of the managed probe block (marker lines included), if present and closed."""
    b = src.text.find(BEGIN)
    if b < 0:
        return None
    b = src.text.rfind("\n", 0, b) + 1
    e = src.text.find(END, b)
    if e < 0:
        return None
    nl = src.text.find("\n", e)
    return b, len(src.text) if nl < 0 else nl + 1


# ``"$BASE/v1/models"``, ``${GATEWAY_URL}/health``: a variable the script uses as the gateway's root URL.
_BASE_USE = lazy(r"\$\{?([A-Za-z_]\w*)(?::-[^}]*)?\}?/(?:v1|health)\b")
# ``-H "Authorization: Bearer $GW_TOKEN"``, ``x-api-key: ${KEY}``: the variable holding the key the script sends.
_TOKEN_USE = lazy(r"(?:authorization:\s*bearer|x-api-key:)\s*\$\{?([A-Za-z_]\w*)", re.I)


def script_variables(text: str) -> tuple[str | None, str | None]:
    """(base-URL variable, token variable) the script uses before ``text`` ends, outside comments: the first
    variable written as the prefix of a gateway route and the first one sent as the key, when there are such."""
    base = token = None
    for _, _, cmd in _commands(text):
        if base is None:
            m = _BASE_USE.search(cmd)
            if m and m.group(1) != "FLOWGATE_GATEWAY_URL":
                base = m.group(1)
        if token is None:
            m = _TOKEN_USE.search(cmd)
            if m:
                token = m.group(1)
    return base, token


def rendered_block(src: Source, ctx: Any, at: int | None = None) -> str | None:
    """The managed claude-probe block for this file at offset ``at`` (where the block starts or will be inserted),
    or None when the spec names no model to probe with. The block uses the base-URL and token variables the
    script sets up before that point (``script_variables``), else the spec's URL and token variable."""
    from flowgate_lint.clients.render import claude_probe_sh

    if not ctx.spec.claude.model:
        return None
    base, token = script_variables(src.text[:at] if at is not None else "")
    return claude_probe_sh(ctx.spec, base, token).replace("\n", src.host.eol)


_EXIT = lazy(r"^\s*exit\b")
_NOT_STOPS = frozenset({"echo", "printf", "curl", "wget", "http", "https", "xh", "trap", "test", "[", "[[", "if", "then",
                        "else", "fi", "for", "while", "do", "done", "case", "esac", "local", "export", "readonly", "declare",
                        "return", "exit", "set", "wait", "sleep", "cd", "source", ".", ":"})
_STOP_WORDS = frozenset({"stop", "down", "kill", "shutdown", "teardown", "unload", "bootout", "halt"})
_STOP_NAME = lazy(r"(?:kill|pkill|killall)|(?:stop|down|teardown|shutdown|cleanup|clean[-_]up)(?:[-_]\w+)?"
                  r"|\w+[-_](?:stop|down|teardown|shutdown|cleanup)", re.I)


def stops_services(line: str) -> bool:
    """Whether a command line stops what the smoke test runs against: ``service stop all``, ``docker compose down``,
    ``systemctl stop litellm``, ``kill "$PID"``, ``./scripts/stop.sh``, a ``cleanup``/``teardown``/``stop_*`` call.
    A ``trap ... EXIT`` handler is not one (it runs when the script ends, after any probe)."""
    words = line.split()
    while words and (words[0] in ("sudo", "command", "exec") or re.match(r"[A-Za-z_]\w*=", words[0])):
        words = words[1:]
    if not words or words[0] in _NOT_STOPS or words[0].startswith("#"):
        return False
    name = words[0].rsplit("/", 1)[-1].removesuffix(".sh").rstrip(";")
    if _STOP_NAME.fullmatch(name):
        return True
    return any(w.rstrip(";") in _STOP_WORDS for w in words[1:6])


def insertion_point(src: Source) -> int:
    """Where an inserted probe still runs against the live gateway: before the script's closing lines (its final
    success message, an ``exit``, and any command that stops the services, with the comments and messages just
    above such a command), else at the end."""
    lines = src.text.splitlines(keepends=True)
    offsets = []
    p = 0
    for line in lines:
        offsets.append(p)
        p += len(line)
    at = len(lines)  # index of the first closing line
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        body = line.strip()
        if SUCCESS.search(line) or _EXIT.match(line) or stops_services(line):
            at = i
        elif not (not body or body.startswith("#") or _ECHO.match(line)):
            break  # a blank line, a comment or a message is closing only when a closing command is above it
    # A stop that is not among the closing lines (``docker compose down`` then ``rm -f body.json``): the first one at
    # the top level (not indented, so not in a function or a branch) after the script's last request.
    last = max((i for i, line in enumerate(lines) if _CLIENT_CMD.search(line) and not _ECHO.match(line)), default=None)
    if last is not None:
        at = next((i for i in range(last + 1, at) if lines[i][:1].strip() and stops_services(lines[i])), at)
    if at < len(lines) and stops_services(lines[at]):
        while at > 0 and lines[at - 1].strip() and (lines[at - 1].lstrip().startswith("#") or _ECHO.match(lines[at - 1])):
            at -= 1  # "# stop everything" / echo "stopping..." belong to the stop
    return offsets[at] if at < len(lines) else len(src.text)


def _anchor(src: Source, found: list[Probe]) -> tuple[int, int]:
    """Where a missing probe should go: the line the fix inserts before (else the last line)."""
    at = insertion_point(src)
    if at >= len(src.text):
        at = src.text.rstrip("\r\n").rfind("\n") + 1
    end = src.text.find("\n", at)
    end = len(src.text) if end < 0 else end
    return at, end if end > at else at


def _line_span(text: str, at: int) -> tuple[int, int]:
    """The line holding ``text[at]``, without its indentation and line break."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    end = len(text) if end < 0 else end
    line = text[start:end]
    return start + len(line) - len(line.lstrip()), start + len(line.rstrip("\r"))


def insert_fix(src: Source, ctx: Any) -> Fix | None:
    at = insertion_point(src)
    block = rendered_block(src, ctx, at)
    if block is None:
        return None
    eol = src.host.eol
    prefix = "" if at == 0 or src.text[:at].endswith(("\n", "\r\n")) else eol
    return Fix((src.edit(at, at, prefix + block),), UNSAFE,
               "Insert the flowgate-lint claude-probe block (probes /v1/messages/count_tokens and /v1/messages)")


class _SmokeRule(Rule):
    kinds = frozenset({"shell"})
    triggers = (r"curl", r"wget", r"smoke", r"acceptance", r"flowgate-lint:begin")

    @staticmethod
    def hand_written_probes(src: Source, ctx: Any) -> Iterator[Probe]:
        """Claude-endpoint probes of a smoke script, outside the managed block."""
        if not is_smoke_script(src, ctx):
            return
        block = managed_block(src)
        for p in probes(src):
            if not (block and block[0] <= p.start < block[1]):
                yield p

    def probe_finding(self, src: Source, p: Probe, message: str) -> Finding:
        return src.finding(self, p.start, p.start + len(p.text.split("\n")[0]), message)


@register
class SmokeMissingCountTokens(_SmokeRule):
    """## What it does
    In a smoke script of the gateway, checks for a `POST /v1/messages/count_tokens` probe.

    A smoke script is a shell script file that probes the gateway and whose name (`smoke`,
    `acceptance`, `healthcheck`, `sanity`, `self-test`, `verify-gateway`, `check_proxy`, a bare
    `verify.sh` / `e2e.sh`, ...) or a "smoke test" comment marks it as a check of the gateway as
    a whole. A probe counts whether the route is written in the `curl` command or in a variable
    it uses (`probe_url="$base/v1/messages/count_tokens"; curl -X POST "$probe_url"`). The finding
    is about the whole script; it is reported where the script probes the other Messages route
    (the probe this one belongs beside), or, with no probe at all, where the fix would insert it.

    ## When it deliberately does not fire
    - Curl examples inside docs.
    - A feature's own test script (`test_pii_detection.sh`, `verify_function_call.sh`,
      `test_redact_mode_e2e.sh`): it probes what it tests, however many API paths it calls.
    - A script named like a smoke script whose only literal URLs belong to another service (the
      shared context model judges them) and that calls no client API path.
    - A script that holds a closed managed claude-probe block (FG205 keeps that block current).
    - When any command line (comments aside) that runs `curl`, `wget`, `http` or `xh`, or holds
      an `http://` URL, names the path: how the probe is written is FG203's and FG204's concern.

    ## Why is this bad?
    Claude Code calls `/v1/messages/count_tokens` for exact context accounting (`/context` sends
    two dozen of them; a plain `claude -p` sends none). On a gateway that lacks the route (LiteLLM
    1.74.9 answered 404 there, BerriAI/litellm#13252), Claude Code estimates locally with no
    visible error, so prompts and answers still work but the context figures are wrong. A smoke
    test that never calls the route cannot notice; the finding is a warning, not an error.

    ## Example
    ```sh
    curl -fsS http://127.0.0.1:4000/v1/models
    ```

    Use instead: add the managed probe block (`flowgate-lint --fix --unsafe-fixes`), or
    ```sh
    curl -fsS -X POST http://127.0.0.1:4000/v1/messages/count_tokens \\
      -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\
      -d '{"model":"router-default","messages":[{"role":"user","content":"ping"}]}'
    ```

    ## Fix
    Unsafe: inserts the managed `# flowgate-lint:begin claude-probe` … `# flowgate-lint:end`
    block (portable `sh`, probes both Claude endpoints with `anthropic-version`, fails on 404
    and 5xx) while the gateway still runs: before the script's closing lines (its final success
    message, an `exit`, and a command that stops the services, such as `service stop all`,
    `docker compose down`, `systemctl stop ...`, `kill "$PID"` or a `cleanup`/`stop_*` call,
    with the comment or message just above it), or at the end. A `trap ... EXIT` handler runs
    after the probe and does not move it. The block calls the gateway through the script's own
    base-URL variable (the one it writes before `/v1/...` or `/health`) and sends the script's
    own key variable (from its `Authorization: Bearer` or `x-api-key` header), falling back to
    the spec's URL and token variable. Unsafe because it changes what a hand-written script does.
    """

    code = "FG201"
    name = "smoke-missing-count-tokens-probe"
    summary = "A gateway smoke script never probes POST /v1/messages/count_tokens"
    severity = "warning"
    lost = "without it Claude Code estimates context locally, with no visible error"
    preview = True
    first_contact = "0 of 5 findings right (0.00) on first contact: batch 1 and FlowGate's history (eval/README.md)"
    fixable = True
    fix_safety = "unsafe"
    path = "/v1/messages/count_tokens"

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if not is_smoke_script(src, ctx) or managed_block(src) is not None:
            return
        found = probes(src)
        if any(p.path == self.path for p in found):
            return
        # Reported where the script probes the other route (the probe this one should stand beside), else where
        # the fix would insert it.
        a, b = _anchor(src, found) if not found else _line_span(src.text, min(p.route_at for p in found))
        others_missing = [c for c in (SmokeMissingCountTokens, SmokeMissingMessages) if c.code < self.code
                          and not any(p.path == c.path for p in found)]
        fix = None if others_missing else insert_fix(src, ctx)
        yield src.finding(self, a, b, f"smoke script never probes POST {self.path} on the gateway "
                                      f"({ctx.spec.gateway.root_url}); {self.lost}", fix)


@register
class SmokeMissingMessages(SmokeMissingCountTokens):
    """## What it does
    In a smoke script of the gateway, checks for a `POST /v1/messages` probe (the endpoint
    Claude Code sends every turn to). See FG201 for what counts as a smoke script.

    ## Why is this bad?
    A gateway that passes `/v1/models` and `/v1/chat/completions` may still lack the Anthropic
    Messages API; Codex then works and Claude Code does not, and the smoke test is green.

    ## When it deliberately does not fire
    As FG201: outside smoke scripts, in a script with a closed managed claude-probe block, and
    when a command line names `/v1/messages` (a `/v1/messages/count_tokens` probe does not
    count).

    ## Example
    ```sh
    curl -fsS http://127.0.0.1:4000/v1/chat/completions -d @body.json
    ```

    Use instead:
    ```sh
    curl -fsS -X POST http://127.0.0.1:4000/v1/messages \\
      -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\
      -d '{"model":"router-default","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}'
    ```

    ## Fix
    Unsafe: inserts the managed claude-probe block (see FG201). When both probes are missing,
    the fix is offered once, on FG201.
    """

    code = "FG202"
    severity = "error"
    lost = "Claude Code sends every prompt there"
    name = "smoke-missing-messages-probe"
    summary = "A gateway smoke script never probes POST /v1/messages"
    preview = True
    first_contact = "0 of 10 findings right (0.00) on first contact: batch 1 and FlowGate's history (eval/README.md)"
    path = "/v1/messages"


@register
class SmokeProbeWithoutVersion(_SmokeRule):
    """## What it does
    Checks that each smoke-script probe of `/v1/messages` or `/v1/messages/count_tokens`
    sends an `anthropic-version` header.

    ## Why is this bad?
    Claude Code always sends `anthropic-version`, and gateways must forward it unchanged; a
    probe without it tests a request Claude Code never makes (some gateways reject it, others
    accept what Claude Code's requests would not get).

    ## When it deliberately does not fire
    - Outside smoke scripts (see FG201), and for probes inside the managed claude-probe block
      (FG205 checks it).
    - When `anthropic-version` appears anywhere in the probe's command (continuation lines
      joined, any case), or the command uses a variable the script assigns a value holding it.
    - Probes of other paths (`/v1/models`, `/v1/chat/completions`, health routes).

    ## Example
    ```sh
    curl -fsS -X POST http://127.0.0.1:4000/v1/messages -d @body.json
    ```

    Use instead:
    ```sh
    curl -fsS -X POST http://127.0.0.1:4000/v1/messages -H 'anthropic-version: 2023-06-01' -d @body.json
    ```

    The header may come through a variable the script sets (`H='anthropic-version: 2023-06-01'`,
    then `curl -H "$H"`): such a probe sends it.

    ## Fix
    None (or regenerate with the managed block, see FG201).
    """

    code = "FG203"
    name = "smoke-probe-without-anthropic-version"
    summary = "A /v1/messages probe in a smoke script sends no anthropic-version header"

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        # Variables that hold the header (H='anthropic-version: ...'; curl -H "$H"): the probe sends it.
        holders = {m.group(1) for m in re.finditer(r"(?m)^\s*(?:export\s+|local\s+|readonly\s+)?([A-Za-z_]\w*)=[^\n]*anthropic-version",
                                                   src.text, re.I)}
        for p in self.hand_written_probes(src, ctx):
            used = set(re.findall(r"\$\{?([A-Za-z_]\w*)", p.text))
            if not re.search(r"anthropic-version", p.text, re.I) and not used & holders:
                yield self.probe_finding(src, p, f"probe of {p.path} sends no anthropic-version header "
                                                 "(Claude Code always sends it)")


@register
class SmokeProbeCannotFail(_SmokeRule):
    """## What it does
    Checks that each smoke-script probe of `/v1/messages` or `/v1/messages/count_tokens` can
    fail the script when the gateway answers 404 or 5xx: `curl -f`/`--fail`, a checked
    `-w '%{http_code}'`, or `|| exit 1`. A probe ending in `|| true`, a plain `curl` whose
    status nobody checks, or a `curl -f ... | jq` pipeline in a script without `set -o pipefail`
    (the pipeline's status is `jq`'s, which succeeds on empty input) does not count.

    ## Why is this bad?
    `curl` exits 0 on a 404 unless told otherwise. A probe that cannot fail makes a green smoke
    test out of a gateway that Claude Code cannot use.

    ## When it deliberately does not fire
    - Outside smoke scripts (see FG201), and for probes inside the managed claude-probe block.
    - Probes of other paths (`/v1/models`, health routes).
    - When the probe can fail: `curl -f`/`--fail`/`--fail-with-body` (also in a flag group such
      as `-fsS`), `wget` without `--content-on-error` (it exits non-zero on HTTP errors), a
      `-w '%{http_code}'` whose code a test shortly after it compares, an answer captured
      (`response=$(curl …)`) that a test after it checks with a branch that exits non-zero
      (`if echo "$response" | jq -e .content …; else … exit 1`), or
      `|| exit`/`return`/`fail`/`die`/`false`. A pipeline counts only when the script sets
      `pipefail`.

    ## Example
    ```sh
    curl -s -X POST http://127.0.0.1:4000/v1/messages -H 'anthropic-version: 2023-06-01' -d @b.json || true
    ```

    Use instead:
    ```sh
    curl -fsS -X POST http://127.0.0.1:4000/v1/messages -H 'anthropic-version: 2023-06-01' -d @b.json
    ```

    ## Fix
    None (or regenerate with the managed block, see FG201).
    """

    code = "FG204"
    name = "smoke-probe-cannot-fail"
    summary = "A /v1/messages probe in a smoke script cannot fail on 404 or 5xx"
    preview_branch = ("A probe silenced on purpose (`|| true`, `|| :`) is reported by default: 8 of 8 right on first contact "
                      "(FlowGate's history). A probe whose status nothing checks, or a pipeline without pipefail, is "
                      "reported only with `--preview` (setting `preview = true`): 0 of 1 right on first contact (batch "
                      "12: a captured answer the script checks with `jq -e` and `exit 1`, recognised since) "
                      "(eval/README.md).")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        for p in self.hand_written_probes(src, ctx):
            silenced = re.search(r"\|\|\s*(?:true|:)(?![\w-])", p.text) is not None
            if not silenced and not getattr(ctx, "preview", False):
                continue  # the preview branch (see preview_branch)
            if not can_fail(p, src.text):
                pipe = _pipe_at(src.text, p) if _piped(p.text) else None
                if pipe is not None and not re.search(r"(?m)^[^#\n]*\bset\b[^#\n]*\bpipefail\b", src.text):
                    line_end = src.text.find("\n", pipe)
                    yield src.finding(self, pipe, line_end if line_end > 0 else p.end,
                                      f"probe of {p.path} is piped without pipefail: the pipeline's status is the last "
                                      "command's, so a 404/5xx from curl cannot fail the script (add set -o pipefail "
                                      "under bash, or check -w '%{http_code}')")
                    continue
                yield self.probe_finding(src, p, f"probe of {p.path} cannot fail the script on 404/5xx (use curl -f / "
                                                 "--fail, or check -w '%{http_code}')")


@register
class StaleProbeBlock(_SmokeRule):
    """## What it does
    Checks that a managed `# flowgate-lint:begin claude-probe` … `# flowgate-lint:end` block in
    a shell script matches what flowgate-lint renders from the spec (gateway URL, token
    variable, model), with the base-URL and token variables the script uses above the block
    where it has them (see FG201).

    ## Why is this bad?
    The block exists so the probe follows the gateway config; a stale block probes the old
    port or an old model.

    ## When it deliberately does not fire
    In shell blocks of Markdown documents (only script files hold a managed block), and when the
    spec names no Claude model to probe with (nothing to render; a begin marker without its end
    line is still reported). It is not limited to smoke scripts: any shell script with the
    begin marker is checked.

    ## Example
    A block still probing `http://127.0.0.1:4001` after the gateway moved to 4000.

    ## Fix
    Safe: the block is regenerated from the spec, with the file's line endings. Hand edits
    inside the block are replaced (the message says so): change the gateway config instead.
    """

    code = "FG205"
    name = "stale-probe-block"
    summary = "A managed claude-probe block differs from what the spec renders"
    fixable = True
    triggers = (r"flowgate-lint:begin",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.embedded:
            return
        span = managed_block(src)
        if span is None:
            if BEGIN in src.text:
                at = src.text.find(BEGIN)
                yield src.finding(self, at, at + len(BEGIN), f"'{BEGIN}' has no matching '{END}' line")
            return
        a, b = span
        want = rendered_block(src, ctx, a)
        if want is None or src.text[a:b] == want:
            return
        yield src.finding(self, a, a + len(BEGIN), "managed claude-probe block differs from the spec and will be "
                          "regenerated (edit the gateway config, not the block)",
                          Fix((src.edit(a, b, want),), SAFE, "Regenerate the claude-probe block from the spec"))
