"""Options shared by the certification commands (exams, grade, verify, report)."""

from __future__ import annotations

import argparse

from ..errors import UserError


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH|URL",
                   help="results store: an SQLite file or an SQLAlchemy URL such as postgresql://user@host/db "
                        "(default: $COLLECTOR_SIM_DB, else SQLite in the user data directory)")


def add_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", action="append", default=[], metavar="DIR",
                   help="also look for exams (and scenarios, personas) in DIR; repeatable, wins over bundled ones. "
                        "Practice only: certification refuses any definition found there or in ./exams, "
                        "./scenarios, ./personas (it uses the bundled set or $COLLECTOR_SIM_OFFICIAL)")


class store_errors:
    """Turn a database failure in the middle of a command into one ``error: …`` line (exit 2)."""

    def __enter__(self) -> "store_errors":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import SQLAlchemyError

        if exc_type is not None and issubclass(exc_type, SQLAlchemyError):
            orig = getattr(exc, "orig", None) or exc
            first = (str(orig).strip().splitlines() or [exc_type.__name__])[0]
            raise UserError(f"results store: {first}") from None
        return False


def exam_for_attempt(args: argparse.Namespace, certify: bool):  # type: ignore[no-untyped-def]
    """The trainee id, the exam, the call engine and what of it is unofficial, for ``grade`` and
    ``exam``, checked up front: a broken exam or scenario must not cost the trainee an attempt.

    To certify, every definition the exam uses must be official (bundled, or the centre's folder in
    ``$COLLECTOR_SIM_OFFICIAL``): an exam, scenario or persona shadowed by ``./exams``,
    ``./scenarios``, ``./personas`` or ``--path`` is refused, naming each file. In practice it is
    allowed and the list is returned so the result can say so."""
    from ..certify.attempt import check_trainee
    from ..certify.calls import CallEngine
    from ..certify.exam import ExamCatalog
    from ..errors import LoadError
    from ..official import OFFICIAL_ENV

    trainee = check_trainee(args.trainee)
    exam = ExamCatalog.discover(args.path).get(args.exam_id)
    engine = CallEngine(args.path)
    findings = engine.check_exam(exam)
    if findings:
        raise LoadError(findings)
    unofficial = engine.unofficial(exam)
    if certify and unofficial:
        raise UserError("cannot certify with definitions from outside the official set: " + "; ".join(unofficial)
                        + f". Certification uses the bundled exams or the centre's folder in ${OFFICIAL_ENV}; "
                        "to practise with these, use --practice")
    return trainee, exam, engine, unofficial
