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
        "while you type; --editor writes the settings for VS Code, Neovim or a JetBrains IDE."))
    p.add_argument("--out", default="schemas", metavar="DIR", help="where to write the files (default: schemas)")
    p.add_argument("--editor", choices=("vscode", "neovim", "jetbrains"),
                   help="also write this editor's settings for the current folder, mapping all four schemas "
                        "onto personas/, scenarios/ (and their .tests.yaml) and exams/")
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
    if args.editor:
        from ..editors import write_settings

        try:
            settings = write_settings(args.editor, Path.cwd(), out)
        except OSError as exc:
            raise UserError(f"cannot write the {args.editor} settings: {exc.strerror}") from None
        print(f"{settings}  ({args.editor}: the schemas mapped onto personas/, scenarios/, exams/)")
    return 0
