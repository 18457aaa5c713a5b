"""Rule registry.

A rule is a subclass of ``Rule`` in one of the family modules listed in
``FAMILIES``, registered with ``@register``. Its class docstring is its
documentation (``flowgate-lint rule CODE`` and ``docs/rules/CODE.md``), written
with the headings ``## What it does``, ``## Why is this bad?``, ``## Example``,
``## Fix`` (fix safety), ``## References`` where they apply.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Iterable, Iterator

if TYPE_CHECKING:
    from flowgate_lint.documents.findings import Finding
    from flowgate_lint.documents.source import Source

# The run's context (``lint.engine.Context``: spec, settings, root, selected codes), as the rules see it.
# Rules sit below the engine, which builds it from them; they read its attributes and never import it.
Context = Any

# Rule family modules, imported on first use of the registry.
FAMILIES = (
    "engine_rules",  # FG0xx: syntax errors, suppressions, managed blocks
    "claims",  # FG1xx: stale claims in prose
    "smoke",  # FG2xx: smoke-script probes
    "urls",  # FG3xx: gateway URLs, base URLs
    "models",  # FG4xx: model slots
    "more_clients",  # FG308, FG404: OpenCode, Gemini CLI, Qwen Code configs
    "requests",  # FG310, FG405: requests a doc sends to the gateway (curl bodies, client API paths)
    "codex",  # FG5xx: Codex config coherence
    "codex_schema",  # FG51x: Codex configs against Codex's published schema
    "excerpts",  # FG6xx: gateway-config excerpts in docs
    "secrets",  # FG7xx: literal credentials
    "snippets",  # FG01x: managed snippet blocks in Markdown
    "verify",  # FG8xx: answers of the running gateway (flowgate-lint verify only)
)


class Rule:
    """Base class. Subclasses set the metadata and implement ``check``."""

    code: str = ""
    name: str = ""  # kebab-case, names the bad pattern
    summary: str = ""  # one line
    severity: str = "error"  # "error" or "warning"
    kinds: frozenset[str] = frozenset()  # source kinds checked: markdown, shell, toml, json, yaml, dotenv
    fixable: bool = False  # whether any finding of this rule can carry a fix
    # How safe that fix is: "safe" (applied by --fix), "unsafe" (only with --unsafe-fixes), or "mixed" (safe where the
    # finding is certain, unsafe otherwise; each rule's ``## Fix`` section says when). Shown on the rule's page.
    fix_safety: str = "safe"
    check_spec_file: bool = False  # whether the gateway config file itself is checked
    # Value rules (ports, URLs, models) set this: history files (changelogs, archives, ADRs; see
    # context.is_history and the ``history`` setting) describe the past and are not checked.
    skip_history: bool = False
    # Regex fragments (bytes-level, case-insensitive) a file must contain for this rule to
    # possibly fire; an empty tuple means "always run". Used by the engine's prefilter.
    triggers: tuple[str, ...] = ()
    # Preview rules run only with --preview (setting ``preview = true``): their first-contact precision,
    # measured on repositories nobody tuned them for (eval/README.md), is below 0.95. ``first_contact``
    # states that figure on the rule's page.
    preview: bool = False
    first_contact: str = ""
    # A stable rule whose branch measured below 0.95 runs that branch only with --preview (the rule checks
    # ``ctx.preview``); ``preview_branch`` says which branch, with its figure, on the rule's page.
    preview_branch: str = ""
    # A rule that reads here-documents itself (FG509, from a Markdown document): its findings in their bodies stay.
    reads_heredocs: bool = False
    # Live rules report what a running gateway answers (``flowgate-lint verify``): a lint run never selects them.
    live: bool = False

    def check(self, src: "Source", ctx: "Context") -> Iterator["Finding"]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        import inspect

        text = inspect.cleandoc(cls.__doc__ or cls.summary)
        if cls.preview:
            text += ("\n\n## Preview\n\nThis rule runs only with `--preview` (setting `preview = true`): its measured precision on "
                     f"repositories nobody tuned it for is below 0.95. {cls.first_contact}.")
        elif cls.preview_branch:
            text += f"\n\n## Preview branch\n\n{cls.preview_branch}"
        return text

    @classmethod
    def fix_label(cls) -> str:
        """"Fixable: ..." as the rule's page and ``rule --all`` say it."""
        if not cls.fixable:
            return "no"
        return {"safe": "yes", "unsafe": "unsafe only (`--unsafe-fixes`)",
                "mixed": "yes, unsafe in some cases (`--unsafe-fixes`)"}[cls.fix_safety]

    def __repr__(self) -> str:
        return f"<{self.code} {self.name}>"


_REGISTRY: dict[str, type[Rule]] = {}
_LOADED = False


def register(cls: type[Rule]) -> type[Rule]:
    if not cls.code or not cls.name:
        raise ValueError(f"rule {cls.__name__} needs a code and a name")
    if cls.code in _REGISTRY and _REGISTRY[cls.code] is not cls:
        raise ValueError(f"duplicate rule code {cls.code}")
    _REGISTRY[cls.code] = cls
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    for family in FAMILIES:
        try:
            import_module(f"flowgate_lint.rules.{family}")
        except ModuleNotFoundError as exc:
            if exc.name != f"flowgate_lint.rules.{family}":
                raise
    _LOADED = True


def all_rules() -> list[type[Rule]]:
    """Every registered rule class, sorted by code."""
    _load()
    return [_REGISTRY[c] for c in sorted(_REGISTRY)]


def get_rule(code: str) -> type[Rule] | None:
    _load()
    code = code.upper()
    if code in _REGISTRY:
        return _REGISTRY[code]
    for cls in _REGISTRY.values():
        if cls.name == code.lower():
            return cls
    return None


def known_codes() -> list[str]:
    """Every rule code, sorted: from the generated table (``_triggers.CODES``) while no rule module is
    imported, so a run answered from the result cache imports none; with any rule registered since."""
    if _LOADED:
        return sorted(_REGISTRY)
    from flowgate_lint.plumbing._triggers import CODES

    return sorted({*CODES, *_REGISTRY})


def preview_codes() -> frozenset[str]:
    """The codes of the preview rules (from the generated table while no rule module is imported)."""
    if _LOADED:
        return frozenset(c for c, cls in _REGISTRY.items() if cls.preview)
    from flowgate_lint.plumbing._triggers import PREVIEW

    return frozenset(PREVIEW)


def live_codes() -> frozenset[str]:
    """The codes of the live rules (from the generated table while no rule module is imported)."""
    if _LOADED:
        return frozenset(c for c, cls in _REGISTRY.items() if cls.live)
    from flowgate_lint.plumbing._triggers import LIVE

    return frozenset(LIVE)


def rule_classes(codes: Iterable[str]) -> list[type[Rule]]:
    """The registered classes of ``codes`` (imports the rule modules)."""
    _load()
    return [_REGISTRY[c] for c in codes]


def matches(code: str, selector: str) -> bool:
    """Whether ``code`` is selected by ``selector`` (a full code, a prefix like ``FG1``, or ``ALL``)."""
    selector = selector.strip().upper()
    return selector == "ALL" or code.startswith(selector)


def check_selectors(selectors: Iterable[str], where: str) -> None:
    """Reject selectors that match no rule (a typo would silently select nothing)."""
    from flowgate_lint.plumbing.errors import UsageError

    codes = known_codes()
    for sel in selectors:
        if not any(matches(c, sel) for c in codes):
            raise UsageError(f"{where}: '{sel}' matches no rule code (see 'flowgate-lint rule --all')")


def select(select: Iterable[str] | None, extend_select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[Rule]]:
    """Rules enabled by select / extend-select / ignore (ruff semantics: the more specific selector wins)."""
    return rule_classes(select_codes(select, extend_select, ignore))


def select_codes(select: Iterable[str] | None, extend_select: Iterable[str] = (), ignore: Iterable[str] = (),
                 preview: bool = False, live: bool = False) -> list[str]:
    """The codes ``select`` enables, sorted, without importing the rule modules. Preview rules only with
    ``preview`` (as in ruff, selecting a preview rule by its code does not run it without preview). Live
    rules only with ``live`` (``flowgate-lint verify``), and then only they."""
    held = frozenset() if preview else preview_codes()
    lives = live_codes()
    chosen = list(select) if select is not None else ["ALL"]
    chosen += list(extend_select)
    ignored = list(ignore)
    out = []
    for code in known_codes():
        best_sel = max((_specificity(s) for s in chosen if matches(code, s)), default=-1)
        best_ign = max((_specificity(s) for s in ignored if matches(code, s)), default=-1)
        if best_sel >= 0 and best_sel > best_ign and code not in held and (code in lives) == live:
            out.append(code)
    return out


def _specificity(selector: str) -> int:
    selector = selector.strip().upper()
    return 0 if selector == "ALL" else len(selector)
