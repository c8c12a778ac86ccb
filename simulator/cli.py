"""The command line: ``collector-sim`` (also ``python -m simulator``).

Each sub-command lives in ``simulator/commands/<name>.py`` with a ``register(subparsers)``
function that adds its parser and sets ``func``. A bare ``collector-sim`` opens the app.
Errors follow the contract: usage problems and unreadable input print one ``error: …`` line on
stderr and exit 2; input that was read but fails (validation findings, a failed exam) exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .errors import LoadError, UserError

COMMANDS = ("play", "exam", "score", "evaluate", "run", "list", "validate", "graph", "exams", "grade", "verify", "report", "test", "schema", "new")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="collector-sim",
        description="Role-play phone calls with debtor personas and learn to collect lawfully.",
    )
    parser.add_argument("--version", action="version", version=f"collector-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"simulator.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(args_list or ["play"])
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except LoadError as exc:
        for finding in exc.findings:
            print(f"error: {finding}", file=sys.stderr)
        return exc.exit_code
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
