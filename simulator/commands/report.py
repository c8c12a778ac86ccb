"""``collector-sim report``: a trainee's or an exam's results, as HTML (with charts), CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError
from ._certify import add_db_option, store_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="results from the store: HTML with charts and certificates, CSV, JSON",
                       description="Report on one trainee (every exam they sat) or one exam (every trainee).")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--trainee", metavar="ID")
    who.add_argument("--exam", metavar="EXAM_ID")
    p.add_argument("--format", choices=("html", "csv", "json"), default=None,
                   help="default: from the -o file's extension, else html")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with store_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..certify.report import build_report, render
    from ..certify.signing import key_from_env
    from ..certify.store import Store

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
        fmt = {"htm": "html", "html": "html", "csv": "csv", "json": "json"}.get(suffix, "html")
    out_path = Path(args.output) if args.output else None
    if out_path is not None and out_path.is_dir():
        raise UserError(f"-o {out_path}: is a directory")
    if out_path is not None and not out_path.parent.exists():
        raise UserError(f"-o {out_path}: the directory {out_path.parent} does not exist")
    from ..certify.attempt import check_trainee

    trainee = check_trainee(args.trainee) if args.trainee is not None else None  # "Ｔ1" finds t1
    with Store.open(args.db, create=False) as store:
        data = build_report(store, trainee=trainee, exam_id=args.exam, key=key_from_env())
    if not data["attempts"]:
        who = f"trainee {trainee!r}" if trainee else f"exam {args.exam!r}"
        raise UserError(f"no attempts for {who} in {data['store']}")
    text = render(data, fmt)
    if out_path is None:
        sys.stdout.write(text)
    else:
        try:
            out_path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"-o {out_path}: cannot write: {exc.strerror}") from None
        print(f"wrote {fmt} report on {len(data['attempts'])} attempts to {out_path}", file=sys.stderr)
    return 0
