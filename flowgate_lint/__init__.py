"""flowgate-lint: keep a gateway repository's docs, scripts and client configs in line with its gateway config."""

__version__ = "0.1.0"
