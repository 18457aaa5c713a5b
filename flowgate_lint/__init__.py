"""flowgate-lint: keep a gateway repository's docs, scripts and client configs in line with its gateway config."""

__version__ = "0.1.0"

# Where the documentation lives (rule pages are DOCS_URL/rules/<CODE>.md).
DOCS_URL = "https://github.com/flowgate/flowgate-lint/blob/main/docs"
