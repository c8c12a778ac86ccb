"""``collector-sim play`` (also a bare ``collector-sim``): the trainee's terminal app."""

from __future__ import annotations

import argparse
import sys

from ..errors import UserError
from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help="the terminal app: pick a scenario, hold the call, get the debrief",
                       description=(
                           "Open the trainee's app. With SCENARIO_ID, go straight to its case file. Every turn "
                           "is saved as it happens (under $COLLECTOR_SIM_HOME or the user data directory); "
                           "--resume continues the latest unfinished call with the same seed and state."))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO_ID", help="open this scenario's case file")
    p.add_argument("--seed", type=int, default=None, help="seed for the debtor's choices (default: random)")
    p.add_argument("--exam", action="store_true", help="exam mode: no hints, no live scores, debrief at the end")
    p.add_argument("--resume", action="store_true", help="continue the latest unfinished call (of SCENARIO_ID)")
    p.add_argument("--theme", choices=("dark", "light"), default=None, help="colour theme (Ctrl+T switches)")
    p.add_argument("--lang", default=None, metavar="LANG", help=(
        "language of the scenario list and the help: zh (default) or en; default $COLLECTOR_SIM_LANG. "
        "The case file, the call and the debrief speak the scenario's own language"))
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..tui import make_app

    theme = {"dark": "textual-dark", "light": "textual-light"}.get(args.theme or "")
    # build first: an unknown scenario or nothing to resume is a usage error (exit 2), terminal or not
    app = make_app(args.scenario, seed=args.seed, exam=args.exam, resume=args.resume, paths=args.path, theme=theme,
                   lang=args.lang)
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise UserError("play needs an interactive terminal (use 'collector-sim run' for a call without the UI)")
    app.run()
    return app.return_code or 0      # an unhandled error in the app (1) or a signal (128+N) is not success
