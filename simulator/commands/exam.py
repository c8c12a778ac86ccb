"""``collector-sim exam``: take a certification exam in the terminal app (exam mode).

The attempt is numbered, limited, stored and signed as it goes (``COLLECTOR_SIM_KEY`` is
required), and it survives whatever happens to the app:

- it begins only once the app is up (a terminal that cannot start the app costs no attempt);
- every call is stored in the attempt before its session file says it ended, and the verdict is
  judged and signed the moment the last call is stored, then shown in the app;
- a crash, ``kill -9``, SIGTERM or a closed terminal (SIGHUP) leaves the attempt open: the next
  ``collector-sim exam EXAM --trainee ID`` (or with ``--resume``) carries on with it — calls whose
  session file shows them ended are recorded, the call in progress is replayed from its session
  file with its seed, time limit and clock, and the calls left follow;
- only leaving on purpose (Ctrl+Q, confirmed) closes the attempt as incomplete.

Exit 0 passed, 1 failed or left incomplete, 2 usage errors, 128+N when signal N stopped the app.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from ..errors import UserError
from ._certify import add_db_option, add_path_option, exam_for_attempt, store_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exam", help="take an exam in the terminal app (exam mode; stored and signed)",
                       description="Hold the exam's calls one after another in exam mode (no hints, no live "
                                   "scores), then see the result. Needs COLLECTOR_SIM_KEY: the attempt is stored "
                                   "and signed call by call. An attempt cut short by a crash, a kill or a closed "
                                   "terminal is carried on by running the same command again; leaving on purpose "
                                   "(Ctrl+Q) leaves it incomplete.")
    p.add_argument("exam_id", metavar="EXAM_ID")
    p.add_argument("--trainee", required=True, metavar="ID", help="the trainee's id")
    p.add_argument("--resume", action="store_true",
                   help="carry on with the open attempt (the default when there is one); an error when there is none")
    add_db_option(p)
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with store_errors():
        return _run(args)


def _verdict(result: Any, exam: Any, engine: Any) -> dict[str, Any]:
    """What the app's verdict screen shows (plain data: the TUI knows nothing of certification)."""
    calls = []
    for c in result.calls:
        try:
            title = engine.scenario(c["scenario"]).spec.title
        except Exception:
            title = c["scenario"]
        calls.append({"scenario": c["scenario"], "title": title, "outcome": c.get("outcome"),
                      "overall": (c.get("summary") or {}).get("overall")})
    return {"title": exam.spec.title, "lang": exam.spec.lang, "passed": result.passed, "attempt": result.attempt,
            "attempts": exam.spec.attempts, "scores": dict(result.verdict.scores),
            "pass": exam.spec.pass_rules.model_dump(exclude_none=True), "reasons": list(result.verdict.reasons),
            "calls": calls, "signature": result.signature}


class _Attempt:
    """The attempt as the app drives it: begun once the app is up, caught up from session files
    when reopened, each call recorded as it ends, judged after the last."""

    def __init__(self, exam: Any, trainee: str, engine: Any, store: Any, key: Any, sessions: Any):
        self.exam, self.trainee, self.engine, self.store, self.key = exam, trainee, engine, store, key
        self.sessions = sessions
        self.run: Any = None
        self.result: Any = None
        self.resumed_record: Any = None

    # -- session files of this attempt's calls ---------------------------------------------------
    def meta(self, index: int) -> dict[str, Any]:
        call = self.exam.spec.calls[index]
        return {"exam": self.exam.id, "trainee": self.run.trainee, "attempt": self.run.attempt_no,
                "attempt_started": self.run.started_at, "call": index, "calls": len(self.exam.spec.calls),
                "time_limit": self.run.time_limit(call)}

    def _file_of(self, index: int) -> Any:
        m = self.meta(index)
        return self.sessions.exam_call({k: m[k] for k in ("exam", "trainee", "attempt", "attempt_started", "call")})

    def catch_up(self) -> Any:
        """Record every pending call whose session file shows it ended (the app was stopped between
        the last turn and the record); return the session file of the call to go on with, or None."""
        while self.run.pending():
            index = len(self.run.calls)
            call = self.exam.spec.calls[index]
            record = self._file_of(index)
            if record is None:
                return None
            session = self.run.session(call)
            session.start()
            for text in record.replies:
                if session.ended:
                    break
                session.reply(text)
            end = record.end if record.end and record.end.get("kind") == "end" else None
            if not session.ended and end is None:
                return record
            if not session.ended:
                reason = end.get("ended_by") if end.get("ended_by") in ("trainee", "time_limit") else "trainee"
                session.finish(reason=reason)
            self._record(session, record.elapsed, index)
        return None

    def reopen(self) -> bool:
        """Take up the trainee's open attempt, if there is one: record the calls whose session
        files show them ended, judge it if nothing is left, else note the call to resume."""
        from ..certify.attempt import ExamRun

        self.run = ExamRun.reopen(self.exam, self.trainee, engine=self.engine, store=self.store, key=self.key)
        if self.run is None:
            return False
        self.resumed_record = self.catch_up()
        if self.result is None and not self.run.pending():
            self.result = self.run.finish()
        return True

    # -- the app's hooks -------------------------------------------------------------------------
    def start(self) -> tuple[list[tuple[Any, ...]], Any]:
        """Called by the app once it is up: begin the attempt (unless one was reopened), and give
        the app the calls left and the call to resume."""
        from ..certify.attempt import ExamRun

        if self.run is None:
            self.run = ExamRun.begin(self.exam, self.trainee, engine=self.engine, store=self.store, key=self.key)
        first = len(self.run.calls) + (1 if self.resumed_record is not None else 0)
        queue = [(c.scenario, c.seed, self.meta(i)) for i, c in enumerate(self.exam.spec.calls) if i >= first]
        return queue, self.resumed_record

    def session(self, scenario_id: str, seed: int, meta: dict[str, Any]) -> Any:
        """The app's session for an exam call, from the attempt's own official engine
        (``ExamRun.session``): the call must be the one the attempt expects next, with its seed."""
        index = meta.get("call")
        calls = self.exam.spec.calls
        if self.run is None or not isinstance(index, int) or not 0 <= index < len(calls):
            raise UserError(f"{scenario_id}: not a call of this attempt")
        call = calls[index]
        if (call.scenario, call.seed) != (scenario_id, seed) or index != len(self.run.calls):
            raise UserError(f"call {index + 1} of exam {self.exam.id!r} is {call.scenario} with seed {call.seed} "
                            f"and the attempt expects call {len(self.run.calls) + 1}; got {scenario_id} with "
                            f"seed {seed}")
        return self.run.session(call)

    def record_call(self, session: Any, elapsed: float, meta: dict[str, Any]) -> dict[str, Any] | None:
        """The app ended a call: store it in the attempt; after the last, judge and sign at once."""
        index = meta.get("call")
        if index != len(self.run.calls):
            raise UserError(f"call {index} ended, but the attempt expects call {len(self.run.calls)}")
        self._record(session, elapsed, index)
        return _verdict(self.result, self.exam, self.engine) if self.result is not None else None

    def _record(self, session: Any, elapsed: float, index: int) -> None:
        limit = self.run.time_limit(self.exam.spec.calls[index])
        duration = float(elapsed)
        if session.ended_by == "time_limit" and limit:
            duration = min(duration, float(limit))   # the clock is read once a second
        self.run.record(session.to_dict(), duration_s=duration)
        if not self.run.pending():
            self.result = self.run.finish()


def _run(args: argparse.Namespace) -> int:
    from ..certify.signing import key_from_env
    from ..certify.store import AttemptLimitReached, Store
    from ..tui import make_app
    from ..tui.store import SessionStore
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
        attempt = _Attempt(exam, trainee, engine, store, key, SessionStore())
        calls_before = len(attempt.run.calls) if attempt.reopen() else 0
        if attempt.run is None:
            if args.resume:
                raise UserError(f"no open attempt at exam {exam.id!r} for trainee {trainee!r} to resume")
            used = store.attempts_used(exam.id, trainee)
            if used >= exam.spec.attempts:
                raise AttemptLimitReached(f"trainee {trainee!r} has used {used} of {exam.spec.attempts} attempts at "
                                          f"exam {exam.id!r} (incomplete attempts count); no further attempt is allowed")
        else:
            print(f"carrying on with attempt {attempt.run.attempt_no} of {exam.spec.attempts}: "
                  f"{calls_before} of {len(exam.spec.calls)} calls recorded", file=sys.stderr)
            if attempt.result is not None:          # everything was said before the app stopped
                print(render(attempt.result, exam))
                return 0 if attempt.result.passed else 1
        app = make_app(exam=True, locked_mode=True, on_start=attempt.start, record_call=attempt.record_call,
                       new_session=attempt.session, catalog=engine.catalog)
        app.run()
        if app.start_error is not None:
            raise app.start_error
        run_ = attempt.run
        if attempt.result is not None:
            result = attempt.result
        elif run_ is None:
            raise UserError("the app stopped before the attempt began; no attempt was used")
        elif app.interrupted or app.return_code:
            why = f"stopped by {app.interrupted}" if app.interrupted else "the app failed"
            print(f"attempt {run_.attempt_no} of {exam.spec.attempts} is still open ({why}): "
                  f"{len(run_.calls)} of {len(exam.spec.calls)} calls recorded; carry on with "
                  f"'collector-sim exam {exam.id} --trainee {shlex.quote(run_.trainee)}'", file=sys.stderr)
            return app.return_code or 1
        else:
            result = run_.abandon(f"left the app with {len(run_.pending())} call(s) not made")
            print(f"attempt {result.attempt} of {exam.spec.attempts} is incomplete: "
                  f"{len(run_.calls)} of {len(exam.spec.calls)} calls made; it counts against the limit",
                  file=sys.stderr)
            return 1
    finally:
        store.close()
    print(render(result, exam))
    return 0 if result.passed else 1
