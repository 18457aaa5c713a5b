"""Reading files into sources the rules check.

findings (the finding, fix and edit values), source (``HostFile`` and ``Source``: a file or an embedded
block with its line map), leaves and the structured parsers with exact spans (json_spans, yaml_spans,
toml_spans), markdown and mdtokens (both Markdown parsers), scan (shell and env-style assignments).

May import: plumbing.
"""
