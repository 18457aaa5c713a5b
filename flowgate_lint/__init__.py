"""flowgate-lint: keep a gateway repository's docs, scripts and client configs in line with its gateway config."""

__version__ = "0.1.0"

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
    ("tomli", "tomli"),  # Python < 3.11 only
)
