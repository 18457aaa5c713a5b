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
from flowgate_lint.spec.model import ExcerptShape, model_served
from flowgate_lint.spec.shapes import excerpt_shape

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

    **Other gateways' configs.** When the gateway config is a CLIProxyAPI `config.yaml`, a
    claude-code-router `config.json` or an Arch/Plano config, an excerpt in that format (its own
    top-level keys, all of them in the real config) is compared only on what clients depend on:
    CLIProxyAPI's `host`, `port`, and the `alias` and `prefix` of `openai-compatibility` models
    (entries matched by `name`); claude-code-router's `HOST`, `PORT`, `Router` routes and each
    provider's `models` (providers matched by `name`, models by membership); Arch's listener
    `port` and `address` (matched by `name`), the providers' `model` (matched by `name`; a model
    the real config lacks beside ones it has is a rename) and `model_aliases` targets. Keys, upstream
    URLs, directories, logging and retry settings are never compared.

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
    first_contact = ("8 of 57 findings right (0.14) on first contact: batch 1 and FlowGate's history; the other gateways' "
                     "formats 6 of 6 on batch 10 (eval/README.md)")
    kinds = frozenset({"yaml", "json"})
    skip_history = True
    fixable = True
    triggers = CONFIG_KEYS + ("Providers", "Router", "auth-dir", "openai-compatibility", "oauth-model-alias", "listeners",
                              "model_providers", "llm_providers", "model_aliases")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint import judgement as context

        if not src.embedded:
            return
        data = src.data()
        if not isinstance(data, dict):
            return
        shape = excerpt_shape(ctx.spec.source_kind)
        shaped = shape is not None and bool(shape.markers & set(data))
        if not shaped and not any(k in data for k in CONFIG_KEYS):
            return
        real = context.real_config(ctx)
        if not isinstance(real, dict) or not presented_as_repo_config(src, ctx, data, real):
            return
        if context.frame_at(src, ctx, 0).quoted:
            return  # a migration's before/after, a troubleshooting change: shown on purpose
        if shaped:
            yield from self._shaped(src, ctx, data, real, shape)
            return
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

    def _shaped(self, src: Source, ctx: Any, data: dict, real: dict, shape: ExcerptShape) -> Iterator[Finding]:
        """An excerpt of a CLIProxyAPI, claude-code-router or Arch config: only the values clients depend on."""
        from flowgate_lint import judgement as context

        where = ctx.spec_rel or "the gateway config"
        names_at: dict[tuple, tuple[set, bool, str]] = {}  # generic path -> (real names, shared?, the names shown)
        shares: dict[tuple, bool] = {}  # an excerpt list of names -> whether it shares one with the real list
        index: dict = {}  # (real list, field) -> {identifier: position}
        for leaf in src.leaves():
            generic = tuple("*" if isinstance(p, int) else p for p in leaf.path)
            if not any(_fits(generic, pattern) for pattern in shape.compared):
                continue
            value = leaf.value
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                continue
            if isinstance(value, str) and (not value.strip() or is_reference(value) or value.strip() in ("...", "…")):
                continue
            if context.frame_at(src, ctx, leaf.start).quoted:
                continue
            label = ".".join(str(p) for p in leaf.path)
            is_model = any(_fits(generic, pattern) for pattern in shape.models)
            target = _matched(leaf.path, data, real, shape.match_by, index)
            if target is None and is_model:
                # An entry matched by nothing: a rename when the excerpt's other names at this place are the real ones.
                if generic not in names_at:  # once per place: the real names, and whether the excerpt shares one
                    theirs = {str(v) for v in _values_at(real, generic)}
                    shared = any(str(v) in theirs for v in _values_at(data, generic))
                    names_at[generic] = (theirs, shared, _some(sorted(theirs)))
                theirs, shared, shown_names = names_at[generic]
                if str(value) not in theirs and shared and not model_served(str(value), ctx.spec.models or ()):
                    yield src.finding(self, leaf.start, leaf.end, f"excerpt names model '{value}' at {label}, which "
                                                                  f"{where} does not ({shown_names})")
                continue
            if target is None:
                continue  # an entry the real config does not have (another provider, another listener): not compared
            path, members = target
            if members is not None:  # a list of names, compared by membership
                parent = leaf.path[:-1]
                names, listed = members
                if parent not in shares:  # once per excerpt list: does it share a name with the real one?
                    shown = lookup(data, parent)
                    shares[parent] = isinstance(shown, list) and any(str(v) in names for v in shown)
                if str(value) in names or not shares[parent]:
                    continue  # listed, or a list that shares no name with the real one (an illustration)
                yield src.finding(self, leaf.start, leaf.end, f"excerpt lists model '{value}' at {label}, which {where} "
                                                              f"does not list there ({_some(listed)})")
                continue
            actual = lookup(real, path)
            if actual is _MISSING or isinstance(actual, (dict, list, bool)) or actual is None or str(actual) == str(value):
                continue
            if isinstance(actual, str) and (not actual.strip() or is_reference(actual)):
                continue
            if _credential(leaf.key, actual) or _credential(leaf.key, value):
                continue  # compared keys are addresses and names; a credential-shaped value is not ours to show
            if is_model and ctx.spec.models is not None and model_served(str(value), ctx.spec.models):
                continue  # a model the gateway serves under another entry: a choice, not drift
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


def _fits(path: tuple, pattern: tuple) -> bool:
    return len(path) == len(pattern) and all(q == "*" or p == q for p, q in zip(path, pattern))


def _matched(path: tuple, excerpt: Any, real: Any, match_by: dict[str, str],
             index: dict) -> tuple[tuple, tuple[frozenset, tuple] | None] | None:
    """Where an excerpt leaf is in the real config: list entries are matched by their identifying field (``match_by``);
    a list of names (``"*"``) gives the real list to check membership in. None when the real config has no such entry."""
    out: list[Any] = []
    node = real
    for i, part in enumerate(path):
        if isinstance(part, int):
            parent = path[i - 1] if i else None
            how = match_by.get(parent) if isinstance(parent, str) else None
            if not isinstance(node, list) or how is None:
                return None
            if how == "*":
                key = (id(node), "*")
                if key not in index:  # each real list of names is read once
                    index[key] = (frozenset(map(str, node)), tuple(node)) \
                        if all(isinstance(e, (str, int)) for e in node) else None
                if i != len(path) - 1 or index[key] is None:
                    return None
                return tuple(out), index[key]
            entry = lookup(excerpt, path[: i + 1])
            ident = entry.get(how) if isinstance(entry, dict) else None
            if ident is None:
                return None
            key = (id(node), how)
            if key not in index:  # each real list is indexed once, the first entry of a name winning
                index[key] = {}
                for j, e in enumerate(node):
                    if isinstance(e, dict) and isinstance(e.get(how), (str, int)):
                        index[key].setdefault(e.get(how), j)
            match = index[key].get(ident) if isinstance(ident, (str, int)) else None
            if match is None:
                return None
            out.append(match)
            node = node[match]
        else:
            if not isinstance(node, dict) or part not in node:
                return None
            out.append(part)
            node = node[part]
    return tuple(out), None


def _values_at(data: Any, pattern: tuple) -> list[Any]:
    """Every scalar at ``pattern`` (``"*"``: any key or index) in ``data``."""
    nodes = [data]
    for part in pattern:
        nxt: list[Any] = []
        for node in nodes:
            if part == "*":
                nxt += list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []
            elif isinstance(node, dict) and part in node:
                nxt.append(node[part])
        nodes = nxt
    return [n for n in nodes if isinstance(n, (str, int)) and not isinstance(n, bool)]


def _some(names: Any, most: int = 8) -> str:
    """Up to ``most`` names for a message (a message stays short however long the config's list is)."""
    names = [str(n) for n in names]
    return ", ".join(names[:most]) + (f", … ({len(names)} in all)" if len(names) > most else "")
