"""The canonical integration spec, derived from the repository's gateway config and settings.

model (the immutable spec values), settings (``[tool.flowgate-lint]`` and ``flowgate-lint.toml``), one
module per gateway config kind (flowgate, litellm, cliproxyapi, ccr, arch, and compose for a published host port;
a new gateway is one new module) with the node helpers
they share (yamlnodes), derive (values read out of a config -> a checked spec), load (which config file,
then the spec) and cache (the spec and settings caches, never trusted).

May import: plumbing.
"""
