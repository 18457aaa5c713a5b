"""The lint run: discovery, the engine, fixes, suppressions, the baseline and the result cache.

discover (which files, what kind), engine (the run's context; every rule on every source), fixes (safe and
unsafe edits, applied atomically), suppress (``flowgate-lint: ignore`` comments), baseline (known findings),
resultcache (findings of unchanged files, never trusted).

May import: rules, judgement, documents, clients, spec, plumbing.
"""
