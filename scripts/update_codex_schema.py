#!/usr/bin/env python3
"""Update the vendored Codex config schema (flowgate_lint/data/codex/).

Codex publishes the JSON schema of config.toml in its repository (codex-rs/core/config.schema.json, generated
from its config types). flowgate-lint vendors one copy, pinned to the Codex version the test suite runs
(scripts/test), and records where it came from:

    python scripts/update_codex_schema.py --codex 0.172.0 --commit SHA        # download from GitHub at SHA
    python scripts/update_codex_schema.py --codex 0.172.0 --commit SHA --from FILE  # a copy already at hand

It checks the file is a draft-07 JSON schema that disallows unknown top-level keys, writes it byte for byte,
and writes schema-version.json (Codex version, source URL, sha256). Then bump the Codex pin in scripts/test and
run the suite: tests/test_codex_schema.py holds the schema against the real Codex binary's --strict-config.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "flowgate_lint" / "data" / "codex"
URL = "https://raw.githubusercontent.com/openai/codex/{commit}/codex-rs/core/config.schema.json"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codex", required=True, help="the Codex CLI version the schema belongs to")
    parser.add_argument("--commit", required=True, help="the openai/codex commit the schema comes from")
    parser.add_argument("--from", dest="source", help="read the schema from this file instead of downloading it")
    args = parser.parse_args(argv)
    url = URL.format(commit=args.commit)
    if args.source:
        raw = Path(args.source).read_bytes()
    else:
        with urllib.request.urlopen(url, timeout=60) as resp:  # a maintainer's run, never the test suite's
            raw = resp.read()
    schema = json.loads(raw)
    if schema.get("$schema") != "http://json-schema.org/draft-07/schema#" or schema.get("additionalProperties") is not False:
        sys.exit("update_codex_schema: not Codex's config schema (draft-07, additionalProperties false)")
    DEST.mkdir(parents=True, exist_ok=True)
    (DEST / "config.schema.json").write_bytes(raw)
    version = {"codex": args.codex, "source": url, "sha256": hashlib.sha256(raw).hexdigest()}
    (DEST / "schema-version.json").write_text(json.dumps(version, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {DEST / 'config.schema.json'} ({len(raw)} bytes) for Codex {args.codex}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
