"""``collector-sim verify``: re-check every stored attempt's signature, fields and score."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..errors import UserError
from ._certify import add_db_option, store_errors, add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check every stored attempt: signature, edits, and a re-score",
                       description="Check every attempt in the results store: its HMAC signature, every stored "
                                   "field against the signed record, and a re-score of its calls with the "
                                   "current engine. Exit 1 listing the attempts that fail.")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--no-rescore", action="store_true", help="check signatures and fields only (fast)")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="processes that re-run calls (default: one per CPU, at most 8)")
    add_db_option(p)
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with store_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..certify.calls import CallEngine
    from ..certify.signing import key_from_env
    from ..certify.store import Store
    from ..certify.verify import verify_store

    key = key_from_env()
    if key is None:
        raise UserError("verify needs the signing key: set COLLECTOR_SIM_KEY (or COLLECTOR_SIM_KEY_FILE)")
    engine = None if args.no_rescore else CallEngine(args.path)
    with Store.open(args.db, create=False) as store:
        jobs = args.jobs if args.jobs > 0 else min(8, os.cpu_count() or 1)
        if store.count() < 50:
            jobs = 1  # starting workers costs more than it saves
        report = verify_store(store, key, engine, rescore=not args.no_rescore, jobs=jobs)
        shown = store.shown
    if args.json:
        print(json.dumps(dict(report.to_dict(), store=shown), ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            print(str(p))
        for line in report.incomplete:
            print(f"note: incomplete attempt {line}", file=sys.stderr)
        what = "signatures and fields" if args.no_rescore else \
            f"signatures, fields and scores ({report.rescored_calls} calls re-run)"
        verdict = f"{report.failed_attempts} failed verification" if report.problems else "all verified"
        print(f"checked {report.checked} attempts in {shown}: {what}; {len(report.incomplete)} incomplete; {verdict}")
    return 1 if report.problems else 0
