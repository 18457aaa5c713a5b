"""flowgate-lint: keep a gateway repository's docs, scripts and client configs in line with its gateway config."""


def __getattr__(name: str) -> str:
    """``__version__``, read on first use: the version setuptools-scm derived from the git tags at build time
    (``_version.py``, written by every install, editable ones included), else the installed metadata's."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from flowgate_lint._version import version
    except ImportError:  # a source tree that was never built or installed
        from importlib.metadata import PackageNotFoundError, version as installed

        try:
            version = installed("flowgate-lint")
        except PackageNotFoundError:
            version = "0+unknown"
    globals()["__version__"] = version
    return version


# Where the documentation lives (rule pages are DOCS_URL/rules/<CODE>.md).
DOCS_URL = "https://github.com/flowgate/flowgate-lint/blob/main/docs"

# Runtime dependencies as (distribution, top-level module), in pyproject.toml's order (a test checks
# they agree); named when one is missing.
DEPENDENCIES = (
    ("tomlkit", "tomlkit"),
    ("ruamel.yaml", "ruamel"),
    ("markdown-it-py", "markdown_it"),
    ("json-source-map", "json_source_map"),
    ("ahocorasick-rs", "ahocorasick_rs"),
    ("pyromark", "pyromark"),  # CPython 3.11+ only
    ("tomli", "tomli"),  # Python < 3.11 only
    ("jsonschema", "jsonschema"),  # FG510, imported only when a Codex config is checked
)


def needed_dependencies() -> list[str]:
    """The distributions of DEPENDENCIES this interpreter needs (their pyproject.toml markers)."""
    import platform
    import sys

    new = sys.version_info >= (3, 11)
    skip = {"pyromark"} if not new or platform.python_implementation() != "CPython" else set()
    return [dist for dist, _ in DEPENDENCIES if dist not in skip and (dist != "tomli" or not new)]
