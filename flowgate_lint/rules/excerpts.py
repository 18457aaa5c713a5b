"""FG6xx: excerpts of the gateway config quoted in docs."""

from __future__ import annotations

import json
from typing import Any, Iterator

from flowgate_lint.documents.findings import SAFE, Finding, Fix
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.redact import has_secret
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.scan import is_reference
from flowgate_lint.documents.source import Source
from flowgate_lint.rules.secrets import is_placeholder
from flowgate_lint.spec.model import model_served

# Filesystem paths in a config are relative to a base the doc may not share (the repository root, the
# config's directory, a runtime directory): a different spelling is not a different value.
_PATH_KEY = lazy(r"^(?:cwd|paths|args|file|secret_files|secrets)$|_(?:dir|file|files|path)$")
_FS_KEYS_EXEMPT = frozenset({"readiness_path", "health_path", "url_path", "base_path"})  # URL paths

CONFIG_KEYS = ("services", "model_list", "integration", "litellm_base", "general_settings", "config_version", "litellm_settings")
_MISSING = object()


def lookup(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _credential(key: Any, value: Any) -> bool:
    """Whether ``value`` is a literal credential: a key's shape, or any literal under a credential-named key
    (``master_key: hunter2``), as redaction judges it."""
    if not isinstance(value, str) or not value.strip() or is_reference(value):
        return False
    return has_secret(value) or (isinstance(key, str) and has_secret(f"{key}: {json.dumps(value)}"))


def _render(value: Any, token: str, kind: str) -> str:
    if kind == "json" or token[:1] == '"':
        return json.dumps(value)
    if token[:1] == "'":
        return "'" + str(value).replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def presented_as_repo_config(src: Source, ctx: Any, data: dict, real: dict) -> bool:
    """Whether a reader takes the block for the repository's own gateway config: the doc names that file
    (or the block has its top-level structure), or the block is a ``model_list`` that names models the real
    config serves, with only keys the real config has, and is not introduced as an illustration."""
    from flowgate_lint import judgement as context

    open_line = src.position(0)[0] - 1
    intro = " ".join(src.host.line_text(n) for n in range(max(1, open_line - 2), open_line + 1))
    if context.ILLUSTRATIVE.search(intro):
        return False  # "Create litellm_config.yaml, with GitHub Copilot as the examples:"
    facts = context.block_facts(src, ctx)
    if facts.repo_config:
        return True
    if facts.names_file is not None:
        return False  # the doc names another file ("the corresponding `config.yaml`" of an example setup)
    named = context.FILE_NAME.search(context.section_at(src, ctx, 0).title)
    if named is not None and not context.names_spec(named.group(0), ctx):
        return False  # under a heading that names another file ("### `config.yaml`"): that file, not the repository's
    ml = data.get("model_list")
    if not isinstance(ml, list):
        return False
    names = {e.get("model_name") for e in ml if isinstance(e, dict)}
    if not names & set(ctx.spec.models or ()):
        return False
    base = real.get("litellm_base") if isinstance(real.get("litellm_base"), dict) else {}
    return set(data) <= set(real) | set(base)


@register
class ConfigExcerptDrift(Rule):
    """## What it does
    Finds fenced YAML or JSON blocks in docs that the doc presents as the repository's own
    gateway config, and checks every value the excerpt shows against the
    real config: service hosts and ports, integration models, `model_list` model names (matched
    by name, so an excerpt may show a subset in any order) and their parameters. Keys the
    excerpt leaves out are not compared; placeholders and `os.environ/...` references are
    skipped.

    A block is an excerpt of the real config when the doc names the file ("our
    `litellm_config.yaml`", a `# config/flowgate.yaml` first line), when it has the real
    config's top-level structure (`config_version`, `services`, `litellm_base`), or when it is a
    `model_list` that names models the real config serves and is not introduced as an example.

    ## When it deliberately does not fire
    Illustrative configs ("a config with a single model looks like this"), a section's own
    gateway config for a second proxy or another setup, a `model_list` that shares no model with
    the real config (it shows the shape; one that shares some and lists others has drifted),
    docker-compose `services`, and history files. Blocks whose frame (the judgement's one
    decision table) is not the live gateway: either half of a migration's before/after, a
    troubleshooting block that shows a changed value (`port: 4001  # Changed from 4000`), a value
    under a "# Before" comment. Filesystem paths (`cwd`, `*_dir`, `*_file(s)`, `secret_files`):
    a doc may write them relative to another base.

    ## Why is this bad?
    Readers copy config excerpts. An excerpt that still shows the old port or a model that was
    renamed documents a gateway that no longer exists.

    ## Example
    ```yaml
    services:
      litellm:
        port: 4001
    ```

    Use instead (the config says 4000):
    ```yaml
    services:
      litellm:
        port: 4000
    ```

    ## Fix
    Safe for scalar values that exist in the real config: the value is replaced by the real
    one, keeping its quoting. A model name that is not in the real `model_list` has no fix.
    A credential (a key's shape, or any literal under `master_key`, `api_key` and the like) is
    never written into a doc: placeholders (`sk-1234`, `sk-xxxx`, `changeme`) are not compared,
    and a literal that differs from the real one is reported with neither value and no fix.
    """

    code = "FG601"
    name = "config-excerpt-drift"
    summary = "A gateway-config excerpt in a doc disagrees with the real config"
    preview = True
    first_contact = "8 of 57 findings right (0.14) on first contact: batch 1 and FlowGate's history (eval/README.md)"
    kinds = frozenset({"yaml", "json"})
    skip_history = True
    fixable = True
    triggers = CONFIG_KEYS

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint import judgement as context

        if not src.embedded:
            return
        data = src.data()
        if not isinstance(data, dict) or not any(k in data for k in CONFIG_KEYS):
            return
        real = context.real_config(ctx)
        if not isinstance(real, dict) or not presented_as_repo_config(src, ctx, data, real):
            return
        if context.frame_at(src, ctx, 0).quoted:
            return  # a migration's before/after, a troubleshooting change: shown on purpose
        where = ctx.spec_rel or "the gateway config"
        served = ctx.spec.models
        renamed = served is not None and any(model_served(n, served) for n in context.model_names(data))
        for leaf in src.leaves():
            value = leaf.value
            if isinstance(value, str) and (is_reference(value) or value.strip() in ("...", "…")):
                continue
            if any(isinstance(p, str) and p not in _FS_KEYS_EXEMPT and _PATH_KEY.search(p) for p in leaf.path):
                continue
            if context.frame_at(src, ctx, leaf.start).quoted:
                continue  # "# Before:" above it, "old" on its line
            path = self._real_path(leaf.path, data, real)
            if path is None:
                # A model list that shares no name with the real one illustrates the shape; one that shares
                # some and lists others has drifted (a rename).
                if leaf.key == "model_name" and renamed and isinstance(value, str) \
                        and not model_served(value, ctx.spec.models):
                    yield src.finding(self, leaf.start, leaf.end,
                                      f"excerpt lists model '{value}', which is not in {where}'s model_list "
                                      f"({', '.join(ctx.spec.models)})")
                continue
            actual = lookup(real, path)
            if actual is _MISSING or isinstance(actual, (dict, list)) or actual == value:
                continue
            if isinstance(actual, str) and is_reference(actual):
                continue
            label = ".".join(str(p) for p in leaf.path)
            if _credential(leaf.key, actual) or _credential(leaf.key, value):
                if isinstance(value, str) and is_placeholder(value):
                    continue  # "master_key: sk-1234": written to be replaced, not a copy of the real key
                # never a fix that writes the real key into a doc, nor a message that holds either value
                yield src.finding(self, leaf.start, leaf.end, f"excerpt shows {label} with a value other than {where}'s "
                                                              "(a credential: neither value is shown, and there is no fix)")
                continue
            token = src.text[leaf.start:leaf.end]
            fix = Fix((src.edit(leaf.start, leaf.end, _render(actual, token, src.kind)),), SAFE, f"Set {label} to {actual}")
            yield src.finding(self, leaf.start, leaf.end, f"excerpt shows {label} = {value!r}; {where} has {actual!r}", fix)

    @staticmethod
    def _real_path(path: tuple, excerpt: Any, real: Any) -> tuple | None:
        """The path in the real config: model_list entries are matched by model_name, not index."""
        out: list[Any] = []
        if path and isinstance(real, dict) and path[0] not in real and isinstance(real.get("litellm_base"), dict) \
                and path[0] in real["litellm_base"]:
            out.append("litellm_base")  # a LiteLLM-style excerpt of the FlowGate config's litellm_base
        for i, part in enumerate(path):
            parent = path[:i]
            if isinstance(part, int) and parent and parent[-1] == "model_list":
                entry = lookup(excerpt, path[: i + 1])
                name = entry.get("model_name") if isinstance(entry, dict) else None
                real_list = lookup(real, tuple(out))
                if not isinstance(real_list, list) or name is None:
                    return None
                match = next((j for j, e in enumerate(real_list) if isinstance(e, dict) and e.get("model_name") == name), None)
                if match is None:
                    return None
                out.append(match)
            else:
                out.append(part)
        return tuple(out)
