"""``collector-sim exam``: take a certification exam in the terminal app (exam mode).

The attempt is numbered, limited, stored and signed as it goes (``COLLECTOR_SIM_KEY`` is
required): every finished call is recorded at once, so leaving the app, a crash or a killed
terminal leaves the attempt ``incomplete`` in the store — never silently lost, never passed.
"""

from __future__ import annotations

import argparse
import sys
import time

from ..errors import UserError
from ._certify import add_db_option, add_path_option, exam_for_attempt, store_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exam", help="take an exam in the terminal app (exam mode; stored and signed)",
                       description="Hold the exam's calls one after another in exam mode (no hints, no live "
                                   "scores), then see the result. Needs COLLECTOR_SIM_KEY: the attempt is stored "
                                   "and signed call by call; leaving early leaves it incomplete.")
    p.add_argument("exam_id", metavar="EXAM_ID")
    p.add_argument("--trainee", required=True, metavar="ID", help="the trainee's id")
    add_db_option(p)
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with store_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..certify.attempt import ExamRun
    from ..certify.signing import key_from_env
    from ..certify.store import Store
    from ..tui import make_app
    from .grade import render

    try:
        trainee, exam, engine, _ = exam_for_attempt(args, certify=True)
    except UserError as exc:
        if "outside the official set" in str(exc):
            raise UserError(str(exc).replace("use --practice", "use 'collector-sim play --exam'")) from None
        raise
    key = key_from_env()
    if key is None:
        raise UserError("an exam attempt is stored and signed: set COLLECTOR_SIM_KEY (or COLLECTOR_SIM_KEY_FILE); "
                        "to practise without certifying, use 'collector-sim play --exam'")
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise UserError("exam needs an interactive terminal (use 'collector-sim grade' for recorded replies)")
    store = Store.open(args.db, key=key)
    try:
        attempt = ExamRun.begin(exam, trainee, engine=engine, store=store, key=key)
        with attempt:
            calls = attempt.pending()
            limits = [attempt.time_limit(c) for c in calls if attempt.time_limit(c)]
            started = [time.monotonic()]

            def on_call_end(session) -> None:  # type: ignore[no-untyped-def]
                attempt.record(session.to_dict(), duration_s=time.monotonic() - started[0])
                started[0] = time.monotonic()

            app = make_app(queue=[(c.scenario, c.seed) for c in calls], exam=True, locked_mode=True,
                           on_call_end=on_call_end, time_limit=min(limits) if limits else None, paths=args.path)
            app.run()
            if attempt.pending():
                result = attempt.abandon(f"left the app with {len(attempt.pending())} call(s) not made")
                print(f"attempt {result.attempt} of {exam.spec.attempts} is incomplete: "
                      f"{len(attempt.calls)} of {len(calls)} calls made; it counts against the limit",
                      file=sys.stderr)
                return 1
            result = attempt.finish()
    finally:
        store.close()
    print(render(result, exam))
    return 0 if result.passed else 1
