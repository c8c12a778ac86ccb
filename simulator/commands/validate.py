"""``collector-sim validate``: check persona and scenario YAML, findings as path:line:col."""

from __future__ import annotations

import argparse
import sys

from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario and persona YAML", description=(
        "Check persona and scenario files: schema, unknown persona, dangling or unreachable states, "
        "dead ends, unknown condition/effect names, missing lines, names that collide with the engine. "
        "Without PATH: everything found. Exit 0 when clean, 1 with findings."))
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check")
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..scenario import Catalog, check_files

    if args.paths:
        findings, count = check_files(args.paths, args.path)
    else:
        cat = Catalog.discover(args.path)
        findings = cat.validate_all()
        count = len(cat.files)
    for f in findings:
        print(str(f))
    if findings:
        print(f"{len(findings)} problem(s) in {len({f.path for f in findings})} of {count} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {count} file(s) checked", file=sys.stderr)
    return 0
