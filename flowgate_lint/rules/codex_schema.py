"""FG51x: Codex config files and snippets against Codex's own published JSON schema (vendored)."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, Iterator

from flowgate_lint.documents.findings import Finding
from flowgate_lint.documents.source import Source
from flowgate_lint.rules import Rule, register
from flowgate_lint.rules.codex import codex_data, table_line

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "codex"
_CACHE: dict[str, Any] = {}


def schema_version() -> dict:
    """What the vendored schema is (``scripts/update_codex_schema.py`` writes it): the Codex version, its source
    and the schema's sha256."""
    if "version" not in _CACHE:
        _CACHE["version"] = json.loads((SCHEMA_DIR / "schema-version.json").read_text(encoding="utf-8"))
    return _CACHE["version"]


def _validator() -> Any:
    if "validator" not in _CACHE:
        from jsonschema import Draft7Validator  # heavy: only when a Codex config is checked

        schema = json.loads((SCHEMA_DIR / "config.schema.json").read_text(encoding="utf-8"))
        _CACHE["validator"] = Draft7Validator(schema)
    return _CACHE["validator"]


def unknown_keys(data: dict) -> list[tuple[tuple, str, list[str]]]:
    """(path of the table, unknown key, the keys the schema allows there) for every key the schema disallows.
    Only plain ``additionalProperties: false`` objects are read; keys inside a ``oneOf``/``anyOf`` branch are
    left alone (which branch was meant is not certain)."""
    found = []
    for error in _validator().iter_errors(_jsonable(data)):
        if error.validator != "additionalProperties" or error.validator_value is not False:
            continue
        allowed = list(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        for key in error.instance:
            if key not in allowed and not any(re.search(p, key) for p in patterns):
                found.append((tuple(error.absolute_path), key, allowed))
    return found


def _jsonable(value: Any) -> Any:
    """TOML values as JSON values (dates and times as strings), for the validator."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@register
class CodexUnknownKey(Rule):
    """## What it does
    Checks Codex `config.toml` files and `config.toml` snippets in docs against the JSON schema
    Codex publishes for its config (generated from the config's own types, unknown keys
    disallowed), vendored with the Codex version it belongs to (`flowgate_lint/data/codex/`,
    updated by `scripts/update_codex_schema.py`). It reports a key the schema does not allow
    where it stands: a typo such as `base_uri` in a provider table, or a removed setting.

    A TOML file or block counts as a Codex config when it selects or defines a provider
    (`model_provider`, `[model_providers.*]`), or is a `.codex/config.toml`, also as the file a
    setup script's here-document writes (`cat > ~/.codex/config.toml <<EOF`).

    ## Why is this bad?
    Codex ignores an unknown key silently (only `codex --strict-config` rejects it, with its line
    and column), so a misspelt `base_url` leaves the provider on its default and the doc's reader
    never learns why. The meaning of the known keys (which provider, which URL, which model) is
    checked by the other FG5xx rules and FG303.

    ## When it deliberately does not fire
    - TOML that does not look like a Codex config, a block whose frame is quoted (history, a
      migration's half, a block introduced as wrong), and keys inside settings the schema allows
      in several shapes (`oneOf`/`anyOf`: which one was meant is not certain).
    - Wrong values of known keys (types, enums): `wire_api = "chat"` is FG503's.
    - Keys inside a legacy `[profiles.*]` table: current Codex ignores the whole table, which FG506
      reports once.

    ## Example
    ```toml
    [model_providers.flowgate]
    name = "FlowGate Local"
    base_uri = "http://127.0.0.1:4000/v1"
    ```

    Use instead: `base_url`.

    ## Fix
    None: a rename is offered in the message when one allowed key is close.
    """

    code = "FG510"
    name = "codex-unknown-key"
    summary = "A key Codex's published config schema does not allow (a typo or a removed setting)"
    preview = True
    first_contact = ("1 of 1 right on first contact (batch 10); on the corpora labelled before it existed, 14 findings on "
                     "unlabelled lines, each a key `codex --strict-config` rejects (eval/README.md)")
    severity = "warning"
    kinds = frozenset({"toml"})
    skip_history = True
    triggers = (r"model_provider",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint import judgement as context

        data = codex_data(src)
        if data is None and not src.embedded and src.host.path.replace("\\", "/").endswith(".codex/config.toml"):
            raw = src.data()
            data = raw if isinstance(raw, dict) else None
        if data is None or src.embedded and context.frame_at(src, ctx, 0).quoted:
            return
        version = schema_version()["codex"]
        top_level = set(_validator().schema.get("properties", {}))
        keys: dict[tuple, tuple[int, int]] = {}  # each key's span, and each table's first key: one pass over the leaves
        for leaf in src.leaves():
            if leaf.key_start >= 0:
                keys.setdefault(leaf.path, (leaf.key_start, leaf.key_end))
            for n in range(1, len(leaf.path)):
                keys.setdefault(leaf.path[:n], (-1, -1))
        for path, key, allowed in unknown_keys(data):
            if len(path) >= 2 and path[0] == "profiles":
                continue  # a legacy [profiles.*] table is ignored as a whole (FG506 reports it): its keys are moot
            at, end = self._where(src, keys, (*path, key))
            near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
            table = f"[{'.'.join(str(p) for p in path)}]" if path else "the top level"
            hint = f" (did you mean `{near[0]}`?)" if near else ""
            if path and key in top_level and not near:
                # `model = ...` written below `[otel]`: TOML puts every key after a header into that table
                hint = f" (a top-level key: below the {table} header it belongs to that table; move it above)"
            yield src.finding(self, at, end, f"`{key}` in {table} is not a Codex {version} config key{hint}: Codex "
                                             "ignores it silently (`codex --strict-config` rejects it)")

    @staticmethod
    def _where(src: Source, keys: dict, full: tuple) -> tuple[int, int]:
        at, end = keys.get(full, (-1, -1))
        if at >= 0:
            return at, end
        if full in keys:  # a table: its header
            at = table_line(src, *map(str, full))
            return at, at + 1
        return 0, 1
