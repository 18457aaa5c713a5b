"""FG1xx: stale claims in Markdown prose.

The phrasings are data: ``flowgate_lint/data/claims/<lang>.txt``, one ``kind: regex`` per
line, so a new phrasing is a one-line change with no code.
"""

import re
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from flowgate_lint.documents.findings import Finding
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.source import Source
from flowgate_lint.documents.markdown import markdown_doc

DATA = Path(__file__).resolve().parent.parent / "data" / "claims"
HISTORY_FILES = lazy(r"(?:^|/)(?:changelog|changes|history|news|release[-_ ]?notes|releases)[^/]*$", re.I)
HISTORY_HEADINGS = lazy(r"changelog|change log|history|release notes|releases|what'?s new|变更|更新日志|历史|发布说明", re.I)
QUOTED = lazy(r'"[^"\n]{3,200}"|“[^”]{3,200}”|「[^」]{1,200}」|『[^』]{1,200}』')  # a quoted claim is a mention
SENTENCE_END = lazy(r"(?<=[.!?;])\s+|(?<=[。！？；])")
# Inline code that names something (`Claude Code`, `LiteLLM`, `/v1/messages`) reads as prose; a command,
# an assignment or a quoted string in code stays blank.
NAME_SPAN = lazy(r"`+\s*(?![^`]*(?:--|[=$|<>\"'\\{}]))[^`\n]{1,48}?\s*`+")
CLAUSE_END = lazy(r"[,;，；：(（]|:(?=\s|$)|\b(?:but|so|because|since|and then|which|while|whereas|although|though)\b|因为|所以|但是|不过")
# After the claim: a condition that makes it a troubleshooting note ("... cannot connect if the port is wrong").
AFTER_CONDITION = lazy(r"\b(?:if|when|whenever|while|as long as|before|after|until the)\b|的时候|的话|时[，,]", re.I)
PRONOUN_HEAD = lazy(r"\s*(?:(?:to|at|with|into|through|against|on|behind)\s+)?(?:it|this|them)\b|\s*它", re.I)

TERMS = ("client", "product", "api", "gateway", "pronoun", "directly", "filler", "condition", "opposite")
CLAIMS = ("direct", "unsupported", "adapter", "imperative", "only", "lacks")
# claim kind -> the truth its message states
MESSAGE = {"direct": "direct", "lacks": "direct", "unsupported": "unsupported", "only": "only", "adapter": "adapter",
           "imperative": "adapter"}
class Phrase:
    """One phrasing: compiled on first use, and only tried on text holding its required literals."""

    __slots__ = ("source", "groups", "where", "_rx")

    def __init__(self, source: str, where: str = "") -> None:
        from flowgate_lint.rules._phrases import GROUPS

        self.source = source
        self.where = where  # "en.txt:12", for the error a pattern that does not compile raises
        known = GROUPS.get(source)
        if known is None:
            from flowgate_lint.plumbing.prefilter import required_groups

            known = _checked(lambda: required_groups(source), where)
        self.groups = known
        self._rx: re.Pattern[str] | None = None

    def possible(self, folded: str) -> bool:
        """False when ``folded`` (``prefilter.fold`` of the text) cannot contain a match."""
        for group in self.groups:  # all(any(...)) without the generators: runs per segment and phrasing
            for s in group:
                if s in folded:
                    break
            else:
                return False
        return True

    def possible_in(self, present: frozenset[str]) -> bool:
        """``possible``, given the set of this phrasing's literals that occur in the folded text."""
        for group in self.groups:
            if present.isdisjoint(group):
                return False
        return True

    def search(self, text: str) -> re.Match[str] | None:
        return self._compiled().search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._compiled().finditer(text)

    def _compiled(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = _checked(lambda: re.compile(self.source, re.I), self.where)
        return self._rx


def _checked(make: Any, where: str) -> Any:
    """``make()``, with a regex error reported as the data file line it comes from."""
    try:
        return make()
    except re.error as exc:
        raise ValueError(f"{where}: invalid regex: {exc}") from None


_TABLES: dict[str, list[Phrase]] | None = None
_TERMS: dict[str, re.Pattern[str]] | None = None
_RAW: dict[str, list[tuple[str, str]]] | None = None


def _read_tables() -> dict[str, list[tuple[str, str]]]:
    """kind -> (regex source, "file:line"), from every language file. A regex is compiled when first used
    (compiling them all costs more than a typical run); ``check_tables`` compiles every one."""
    global _RAW
    if _RAW is not None:
        return _RAW
    tables: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(DATA.glob("*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            kind, sep, pattern = line.partition(":")
            kind, pattern = kind.strip(), pattern.strip()
            if not sep or kind not in TERMS + CLAIMS:
                raise ValueError(f"{path.name}:{n}: expected '<kind>: <regex>' with a kind of {', '.join(TERMS + CLAIMS)}")
            tables.setdefault(kind, []).append((pattern, f"{path.name}:{n}"))
    _RAW = tables
    return tables


def check_tables() -> None:
    """Compile every regex of the language files (ValueError naming the file and line of a bad one)."""
    for entries in _read_tables().values():
        for pattern, where in entries:
            _checked(lambda: re.compile(pattern, re.I), where)


def phrase_tables() -> dict[str, list[Phrase]]:
    """claim kind -> phrasings (compiled on first use, gated by their required literals)."""
    global _TABLES
    if _TABLES is None:
        raw = _read_tables()
        _TABLES = {kind: [Phrase(p, where) for p, where in raw.get(kind, [])] for kind in CLAIMS}
    return _TABLES


_LITERALS: Any = None  # (automaton or None, its literals) over every phrasing's required literals
_ASKED = 0
_OPENERS: Any = None  # literal -> ids of the phrasings whose first group holds it, and the ids with no group


def present_literals(folded: str) -> frozenset[str] | None:
    """The phrasings' required literals that occur in ``folded``, in one Aho-Corasick pass (None without the
    wheel, and for a run's first paragraphs: ``Phrase.possible`` then tests them one by one)."""
    global _LITERALS, _ASKED
    if _LITERALS is None:
        if _ASKED < 64:  # building the automaton costs ~2 ms: not for a run with a few paragraphs
            _ASKED += 1
            return None
        literals = sorted({s for phrases in phrase_tables().values() for p in phrases for g in p.groups for s in g if s})
        try:
            from ahocorasick_rs import AhoCorasick, MatchKind
        except ImportError:  # pragma: no cover - a declared dependency
            _LITERALS = (None, literals)
        else:
            _LITERALS = (AhoCorasick(literals, matchkind=MatchKind.Standard) if literals else None, literals)
    automaton, literals = _LITERALS
    if automaton is None:
        return frozenset({""}) if not literals else None
    found = {literals[i] for i, _, _ in automaton.find_matches_as_indexes(folded, overlapping=True)}
    found.add("")  # the empty literal occurs everywhere
    return found  # type: ignore[return-value] - read only


def live_phrases(present: frozenset[str]) -> list[tuple[str, list[Phrase]]]:
    """(claim kind, its phrasings that can match) for a text holding just the ``present`` literals, kinds with
    none left out. Only a phrasing with a present literal of its first group is tested further."""
    global _OPENERS
    tables = phrase_tables()
    if _OPENERS is None:
        index: dict[str, set[int]] = {}
        always = set()
        ranked = [(kind, p) for kind in CLAIMS for p in tables[kind]]  # the order ``live`` lists them in
        for rank, (_, p) in enumerate(ranked):
            if not p.groups:
                always.add(rank)
            for lit in p.groups[0] if p.groups else ():
                index.setdefault(lit, set()).add(rank)
        _OPENERS = ({lit: frozenset(ranks) for lit, ranks in index.items()}, frozenset(always), ranked)
    index, always, ranked = _OPENERS
    candidates = set(always)
    for lit in present:
        ranks = index.get(lit)
        if ranks:
            candidates |= ranks
    live: dict[str, list[Phrase]] = {}
    for rank in sorted(candidates):
        kind, p = ranked[rank]
        if p.possible_in(present):
            live.setdefault(kind, []).append(p)
    return [(kind, live[kind]) for kind in CLAIMS if kind in live]


def _alternation(entries: list[tuple[str, str]], template: str = "{}") -> re.Pattern[str]:
    source = template.format("|".join(f"(?:{p})" for p, _ in entries) or "(?!)")
    try:
        return re.compile(source, re.I)
    except re.error:
        check_tables()  # names the line at fault
        raise


def term_patterns() -> dict[str, re.Pattern[str]]:
    """term kind -> one compiled alternation over every language."""
    global _TERMS
    if _TERMS is None:
        raw = _read_tables()
        _TERMS = {kind: _alternation(raw.get(kind, [])) for kind in TERMS}
        # A prefix of only filler words and punctuation leaves the subject to the context.
        _TERMS["filler_only"] = _alternation(raw.get("filler", []), r"(?:[\W_\d]|(?:{})(?![A-Za-z]))*")
    return _TERMS


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > start:
            yield start, m.start() if m.start() > start else m.end()
            start = m.end()
    if start < len(text):
        yield start, len(text)


def _prose(text: str, spans: list[tuple[int, int]]) -> str:
    """The text a claim is read in (same offsets): inline code that names something keeps its words
    (only the backticks become spaces); other inline code and quoted strings become spaces."""
    chars = list(text)
    blank = [(a, b) for a, b in spans if not NAME_SPAN.fullmatch(text, a, b)]
    for a, b in spans:
        if (a, b) not in blank:
            for i in range(a, b):
                if chars[i] == "`":
                    chars[i] = " "
    blank += [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    for a, b in blank:
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


class Terms(NamedTuple):
    """The term patterns for one run: the data's, plus the spec's gateway service and port."""

    base: dict[str, re.Pattern[str]]
    gateway: re.Pattern[str]  # the data's gateway terms and the spec's service name and port
    product: re.Pattern[str]  # the data's other products and the other services' ports

    def mentions(self, text: str, kinds: tuple[str, ...]) -> list[tuple[int, str]]:
        """(offset, kind) of every mention of the given term kinds, in text order."""
        found = []
        for kind in kinds:
            rx = self.gateway if kind == "gateway" else self.product if kind == "product" else self.base[kind]
            found.extend((m.start(), kind) for m in rx.finditer(text))
        return sorted(found)

    def last_subject(self, text: str) -> str | None:
        """"client" or "product": the subject mentioned last in ``text``, if any."""
        found = self.mentions(text, ("client", "product"))
        return found[-1][1] if found else None

    def target(self, text: str) -> str | None:
        """"gateway" when ``text`` mentions the gateway, "other" when only something else, else None."""
        if self.gateway.search(text):
            return "gateway"
        if self.product.search(text) or self.base["api"].search(text):
            return "other"
        return None


_TERMS_FOR: dict[tuple, Terms] = {}


def terms_for(spec: Any) -> Terms:
    gateway = getattr(spec, "gateway", None)
    service = getattr(gateway, "service", None) or ""
    port = getattr(gateway, "port", None)
    others = tuple(sorted(spec.other_ports())) if spec is not None and hasattr(spec, "other_ports") else ()
    key = (service, port, others)
    if key not in _TERMS_FOR:
        base = term_patterns()
        extra = [base["gateway"].pattern]
        if service:
            words = [re.escape(w) for w in re.split(r"[\s_-]+", service) if w]
            extra.append(r"(?<![A-Za-z0-9_/.-])" + r"[\s_-]?".join(words) + r"(?![A-Za-z0-9_-])")
        loopback = r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])"
        if port:
            extra.append(rf"{loopback}:{port}(?!\d)|\bport {port}(?!\d)")
        product = [base["product"].pattern] + ([rf"{loopback}:(?:{'|'.join(map(str, others))})(?!\d)"] if others else [])
        _TERMS_FOR[key] = Terms(base, re.compile("|".join(f"(?:{p})" for p in extra), re.I),
                                re.compile("|".join(f"(?:{p})" for p in product), re.I))
    return _TERMS_FOR[key]


class _Reader:
    """The prose of one document, prepared on demand, with the context a claim's subject and object are
    looked up in: the earlier sentences of its block, the block just above, and the section heading."""

    def __init__(self, segments: list[Any], terms: Terms) -> None:
        self.segments = segments
        self.terms = terms
        self._prepared: dict[int, tuple[str, list[tuple[int, int]]]] = {}

    def prepared(self, i: int) -> tuple[str, list[tuple[int, int]]]:
        if i not in self._prepared:
            seg = self.segments[i]
            text = _prose(seg.text, seg.code_spans)
            self._prepared[i] = (text, list(_sentences(text)))
        return self._prepared[i]

    def context(self, i: int, j: int) -> list[str]:
        """Texts before sentence ``j`` of segment ``i``, nearest first (at most two sentences of each block)."""
        text, sents = self.prepared(i)
        out = [text[a:b] for a, b in reversed(sents[max(0, j - 2):j])]
        seg = self.segments[i]
        if i > 0 and not out:
            prev = self.segments[i - 1]
            if _usable(prev) and seg.line - (prev.line + prev.text.count("\n")) <= 2:
                ptext, psents = self.prepared(i - 1)
                out += [ptext[a:b] for a, b in reversed(psents[-2:])]
        if seg.heading:
            out.append(seg.heading)
        return out

    def subject(self, i: int, j: int) -> str | None:
        """The subject a sentence with none of its own inherits: the last one its context names."""
        for piece in self.context(i, j):
            found = self.terms.last_subject(piece)
            if found is not None:
                return found
        return None

    def antecedent(self, i: int, j: int, prefix: str) -> str:
        """What "it" refers to: the gateway unless the context names only something else."""
        for piece in [prefix] + self.context(i, j):
            found = self.terms.target(piece)
            if found is not None:
                return found
        return "gateway"


_HISTORY_HEADING: dict[str, bool] = {}  # the segments of a section share its heading


def _usable(seg: Any) -> bool:
    if seg.quoted and not seg.callout:
        return False
    history = _HISTORY_HEADING.get(seg.heading)
    if history is None:
        if len(_HISTORY_HEADING) > 4096:
            _HISTORY_HEADING.clear()
        history = _HISTORY_HEADING[seg.heading] = HISTORY_HEADINGS.search(seg.heading) is not None
    return not history


def _clause(text: str) -> str:
    """``text`` up to the end of its first clause."""
    m = CLAUSE_END.search(text)
    return text[:m.start()] if m else text


def _conditional(prefix: str, terms: Terms) -> bool:
    """The claim sits in, or follows, a condition ("if Claude Code cannot connect, ...", "if the port is
    wrong, Claude Code cannot connect"); a condition that only says Claude Code is used ("if you use
    Claude Code, ...") introduces the claim instead."""
    found = list(terms.base["condition"].finditer(prefix))
    if not found:
        return False
    clause = prefix[found[-1].start():]
    comma = re.search(r"[,，;；:：]", clause)
    if comma is None:
        return True
    head = clause[:comma.start()]
    return not terms.base["client"].search(head) or terms.target(head) == "other"


def judge(kind: str, sentence: str, m: re.Match[str], reader: _Reader, i: int, j: int) -> bool:
    """Whether the phrasing matched by ``m`` in sentence ``j`` of segment ``i`` claims, about Claude Code
    and this gateway, what is no longer true."""
    terms = reader.terms
    base = terms.base
    if base["opposite"].search(sentence):
        return False
    tail = sentence.rstrip(" *_)）")
    if tail.endswith(("?", "？", "吗")):
        return False  # a question (FAQ heading, troubleshooting)
    prefix, rest = sentence[:m.start()], sentence[m.end():]
    if _conditional(prefix, terms):
        return False
    if kind in ("only", "lacks"):
        return True
    clause = _clause(rest)
    if kind in ("direct", "unsupported") and AFTER_CONDITION.search(clause):
        return False  # "... cannot connect when the port is wrong"
    obj_text = m.group("obj") if "obj" in m.re.groupindex and m.group("obj") else clause
    # The object: what the claim says Claude Code cannot reach (the first thing named after the verb).
    mentions = terms.mentions(obj_text, ("client", "gateway", "product", "api"))
    client_after = any(k == "client" for _, k in mentions) or base["client"].search(m.group(0)) is not None
    if PRONOUN_HEAD.match(obj_text):
        target: str | None = reader.antecedent(i, j, prefix)
    else:
        first = next((k for _, k in mentions if k != "client"), None)
        target = None if first is None else "gateway" if first == "gateway" else "other"
    if target == "other":
        return False
    if kind == "direct" and target is None and not base["directly"].search(m.group(0) + obj_text):
        return False  # "cannot connect" with no object and no "directly": not about the gateway
    if kind == "imperative":
        # "(First) add an adapter in front of the gateway": addressed to the reader, about the gateway or
        # Claude Code, unless another client is the one being discussed.
        if target is None and not client_after and "anthropic" not in m.group(0).lower():
            return False
        return not _about_other(prefix, reader, i, j)
    return _about_claude(prefix, client_after, reader, i, j)


def _subject_start(prefix: str, terms: Terms) -> int | None:
    """Where "Claude Code" starts when it is the subject written just before the claim."""
    found = terms.mentions(prefix, ("client", "product"))
    if found and found[-1][1] == "client":
        end = terms.base["client"].match(prefix, found[-1][0])
        if end is not None and terms.base["filler_only"].fullmatch(prefix, end.end()) and "\n" not in prefix[end.end():]:
            return found[-1][0]
    return None


def _about_other(prefix: str, reader: _Reader, i: int, j: int) -> bool:
    """Another client or product is the subject: named last before the claim, or inherited."""
    found = reader.terms.mentions(prefix, ("client", "product"))
    if found:
        return found[-1][1] == "product"
    return reader.subject(i, j) == "product"


def _about_claude(prefix: str, client_after: bool, reader: _Reader, i: int, j: int) -> bool:
    """The claim's subject is Claude Code: named just before the verb, named after it ("point Claude Code
    at ..."), or, when the sentence starts with the claim, the subject of the sentence or line above."""
    terms = reader.terms
    filler = terms.base["filler_only"]
    found = terms.mentions(prefix, ("client", "product"))
    if found:
        at, kind = found[-1]
        if kind == "product":
            return False
        end = terms.base["client"].match(prefix, at)
        if end is not None and filler.fullmatch(prefix, end.end()):
            return True  # "Claude Code (still) cannot ..."
        return False
    bare = terms.gateway.sub(" ", prefix)  # "The gateway needs an adapter for Claude Code"
    if not filler.fullmatch(bare):
        return False  # another subject ("The container cannot connect ...")
    return client_after or reader.subject(i, j) == "client"


@register
class StaleClaudeCodeClaim(Rule):
    """## What it does
    Finds sentences in Markdown prose (paragraphs, headings, list items, table cells, note
    callouts) that say Claude Code cannot connect to the gateway directly, needs a separate
    Anthropic-compatible adapter or translation layer, must have one put in front of the
    gateway, or that only Codex / OpenAI-compatible clients are supported. English and Chinese
    phrasings are recognised, for example:

    - "Claude Code cannot connect to the gateway directly", "`Claude Code` cannot talk to
      `LiteLLM`" (inline code that names a product reads as prose);
    - "Conclusion: Claude Code cannot point at it. An extra Anthropic-compatible adapter layer
      is required." (the second sentence takes its subject from the first; a table cell or list
      item from the line just above; "it" is the gateway unless the context names something else);
    - "First add an Anthropic-compatible adapter in front of the gateway." (imperative);
    - "Claude Code 不能直接接入网关", "需要额外的适配层", "先在网关前面加一层 Anthropic 兼容适配器",
      "仅支持 Codex".

    A claim must be about Claude Code (named just before the verb, after it, or as the subject
    of the sentence or line above) and about this gateway (named, "it" referring to it, or
    "directly").

    ## When it deliberately does not fire
    - The words are in a command or string in inline code, in a code block, or in quotation
      marks; the document quotes history (blockquotes that are not note callouts, changelog
      files, sections under a "Changelog"/"History" heading).
    - The sentence states the opposite or reports the claim: "no longer needs an adapter",
      "needs no adapter", "the old docs said ...", "不再需要适配层".
    - The object is something other than the gateway: "Claude Code cannot talk to a plain
      OpenAI `/v1/chat/completions` endpoint without a translating gateway" is true; so are
      claims about Ollama, another client, a model or a tool.
    - The subject is another client or thing: "Codex cannot ...", "The container cannot ...".
    - The claim is a condition or a question: "If Claude Code cannot connect, check the port",
      "Claude Code cannot connect when the gateway is down", "Why does Claude Code need an
      adapter?".

    ## Why is this bad?
    The gateway serves the Anthropic Messages API (`/v1/messages`,
    `/v1/messages/count_tokens`) itself, so Claude Code connects with
    `ANTHROPIC_BASE_URL` set to the gateway root. A doc that says otherwise sends readers
    looking for an adapter that does not exist, or away from Claude Code altogether.

    ## Example
    ```markdown
    Claude Code cannot connect to the gateway directly; it needs a separate adapter.
    ```

    Use instead:
    ```markdown
    Claude Code connects directly: set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`.
    ```

    ## Fix
    None: prose is never rewritten automatically. The message quotes the current truth
    from the spec.

    New phrasings and terms go in `flowgate_lint/data/claims/<lang>.txt` (`kind: regex` per
    line; the kinds are described at the top of `en.txt`).
    """

    code = "FG101"
    name = "stale-claude-code-claim"
    summary = "Prose claims Claude Code cannot reach the gateway directly or needs an adapter"
    severity = "warning"
    kinds = frozenset({"markdown"})
    triggers = ("claude", "codex", "openai", "anthropic")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.embedded or HISTORY_FILES.search(src.path):
            return
        from flowgate_lint.plumbing.prefilter import fold

        tables = phrase_tables()
        segments = markdown_doc(src).segments
        reader = None  # its term patterns are compiled only for a document where some phrasing can match
        for i, seg in enumerate(segments):
            if not _usable(seg):
                continue
            folded = fold(seg.text)
            present = present_literals(folded)
            if present is None:
                live = [(kind, [p for p in tables[kind] if p.possible(folded)]) for kind in CLAIMS]
                live = [(kind, phrases) for kind, phrases in live if phrases]
            else:
                live = live_phrases(present)
            if not live:
                continue  # no phrasing can match anywhere in this segment
            if reader is None:
                reader = _Reader(segments, terms_for(ctx.spec))
                truth = self.truth(ctx.spec)
            text, sentences = reader.prepared(i)
            for j, (a, b) in enumerate(sentences):
                hit = self._claim(text[a:b], live, reader, i, j)
                if hit is not None:
                    kind, m = hit
                    begin = _subject_start(text[a:a + m.start()], reader.terms)
                    start, end = seg.to_host(a + (m.start() if begin is None else begin)), seg.to_host(a + m.end())
                    yield src.finding(self, start, end, truth[MESSAGE[kind]])

    @staticmethod
    def _claim(sentence: str, live: list, reader: _Reader, i: int, j: int) -> tuple[str, re.Match[str]] | None:
        for kind, phrases in live:
            for phrase in phrases:
                for m in phrase.finditer(sentence):
                    if judge(kind, sentence, m, reader, i, j):
                        return kind, m
        return None

    @staticmethod
    def truth(spec: Any) -> dict[str, str]:
        claude = f"ANTHROPIC_BASE_URL={spec.claude.base_url}"
        return {
            "direct": f"the text claims Claude Code cannot connect to the gateway directly; it can: {claude} "
                      "(the gateway serves /v1/messages)",
            "adapter": "the text claims Claude Code needs a separate adapter; it needs none: the gateway serves the "
                       f"Anthropic Messages API at {claude}",
            "unsupported": f"the text claims Claude Code is not supported; it is: {claude} (the gateway serves /v1/messages)",
            "only": "the text claims only Codex or OpenAI-compatible clients are supported; both clients are: "
                    f"Codex via base_url {spec.codex.base_url}, Claude Code via {claude}",
        }
