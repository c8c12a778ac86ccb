"""``collector-sim schema``: JSON Schema files for persona, scenario, tests and exam YAML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="write JSON Schema files for editors", description=(
        "Write persona.schema.json, scenario.schema.json, tests.schema.json and exam.schema.json to DIR "
        "(default ./schemas). Point your editor's YAML support at them for completion and checking "
        "while you type; see AUTHORING.md for VS Code."))
    p.add_argument("--out", default="schemas", metavar="DIR", help="where to write the files (default: schemas)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..schemas import FILES, write

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {args.out}: not a directory")
    try:
        written = write(out)
    except OSError as exc:
        raise UserError(f"--out {args.out}: cannot write: {exc.strerror}") from None
    for path in written:
        print(f"{path}  ({FILES[path.name][1]})")
    missing = [n for n in FILES if n not in {p.name for p in written}]
    if missing:
        print(f"warning: not written: {', '.join(missing)} (the certification package is not installed)",
              file=sys.stderr)
    return 0
