"""``flowgate-lint rule CODE`` / ``rule --all``: explain rules."""

from __future__ import annotations

import argparse
import json
import sys

from flowgate_lint.plumbing.errors import UsageError

HELP = "explain a rule (its documentation), or list every rule with --all"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="?", help="rule code (FG302) or name")
    parser.add_argument("--all", action="store_true", help="list every rule: code, name, fix ([*] safe, [~] safe or unsafe by case, "
                        "[u] unsafe only), summary")
    parser.add_argument("--output-format", choices=["text", "json"], default="text", help="output format (default: text)")


# ``rule --all``: [*] as lint marks a safe fix, [u] a fix that needs --unsafe-fixes, [~] one that is safe or unsafe by case
_MARK = {"safe": "[*] ", "unsafe": "[u] ", "mixed": "[~] "}


def rule_page(cls) -> str:
    """The Markdown documentation page of a rule (also written to docs/rules/CODE.md)."""
    header = f"# {cls.code} {cls.name}\n\n{cls.summary}.\n\nSeverity: {cls.severity}. Fixable: {cls.fix_label()}.\n\n"
    return header + cls.doc().strip() + "\n"


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.rules import all_rules, get_rule

    if args.all:
        rules = all_rules()
        if args.output_format == "json":
            sys.stdout.write(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary, "severity": r.severity,
                                          "fixable": r.fixable,
                                          "fix_safety": r.fix_safety if r.fixable else None} for r in rules], indent=2) + "\n")
        else:
            for r in rules:
                sys.stdout.write(f"{r.code}  {r.name:<40} {_MARK[r.fix_safety] if r.fixable else '    '}{r.summary}\n")
        return 0
    if not args.code:
        raise UsageError("give a rule code (e.g. 'flowgate-lint rule FG302') or --all")
    cls = get_rule(args.code)
    if cls is None:
        raise UsageError(f"unknown rule '{args.code}' (see 'flowgate-lint rule --all')")
    if args.output_format == "json":
        sys.stdout.write(json.dumps({"code": cls.code, "name": cls.name, "summary": cls.summary, "severity": cls.severity,
                                     "fixable": cls.fixable,
                                     "fix_safety": cls.fix_safety if cls.fixable else None, "explanation": cls.doc()}, indent=2) + "\n")
    else:
        sys.stdout.write(rule_page(cls))
    return 0
