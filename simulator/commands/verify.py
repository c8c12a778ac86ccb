"""``collector-sim verify``: re-check every stored attempt's signature, fields and score."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..errors import UserError
from ._certify import add_db_option, store_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check every stored attempt: signature, edits, and a re-score",
                       description="Check the whole results store in one snapshot: the signed ledger (a deleted "
                                   "or replaced attempt is named), every attempt's HMAC signature, its shape, "
                                   "every stored field against the signed record, the content hashes against "
                                   "the official definitions (what changed), and a re-score of its calls. "
                                   "Exit 1 listing every finding with its evidence.")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--no-rescore", action="store_true", help="check signatures and fields only (fast)")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="processes that re-run calls (default: one per CPU, at most 8)")
    p.add_argument("--path", action="append", default=[], help=argparse.SUPPRESS)
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with store_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..certify.calls import CallEngine
    from ..certify.signing import key_from_env
    from ..certify.store import Store
    from ..certify.verify import verify_store

    if args.path:
        raise UserError("verify --path: attempts are checked against the official definitions only (bundled, or "
                        "$COLLECTOR_SIM_OFFICIAL); --path is for practice")
    key = key_from_env()
    if key is None:
        raise UserError("verify needs the signing key: set COLLECTOR_SIM_KEY (or COLLECTOR_SIM_KEY_FILE)")
    engine = CallEngine(official_only=True)
    with Store.open(args.db, create=False, key=key) as store:
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
        for line in report.notes:
            print(f"note: {line}", file=sys.stderr)
        what = "ledger, signatures, fields and definitions" if args.no_rescore else \
            f"ledger, signatures, fields, definitions and scores ({report.rescored_calls} calls re-run)"
        verdict = f"{report.failed_attempts} failed verification" if report.problems else "all verified"
        print(f"checked {report.checked} attempts in {shown}: {what}; {len(report.incomplete)} incomplete; {verdict}")
    return 1 if report.problems else 0
