"""One attempt at an exam, call by call: the API that ``grade`` and the TUI's exam mode share.

    run = ExamRun.begin(exam, "trainee-042", engine=CallEngine(), store=store, key=key)
    with run:                                      # an exception inside marks it incomplete
        for call in run.pending():                 # ExamCall: scenario and fixed seed, in order
            session = run.session(call)            # the TUI drives it: start / reply / finish
            ...                                    # (session.finish(reason="time_limit") on time-out)
            run.record(session.to_dict(), duration_s=212.5)   # or ended_by="time_limit"
        result = run.finish()                      # AttemptResult: passed, reasons, signature

The attempt is stored, signed and marked ``incomplete`` the moment it begins (so it counts
against the limit at once), and re-signed after every call. Only ``finish()`` makes it
``passed`` or ``failed``: a crash leaves it ``incomplete`` — never lost, never passed.

Without a store (no signing key: practice), the same code scores the calls and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import LoadError, UserError
from .calls import Engine, slim_call
from .exam import Exam, ExamCall
from .identity import check_trainee, trainee_is_canonical  # noqa: F401  (re-exported)
from .judge import Verdict, judge
from .signing import SigningKey, canonical

if TYPE_CHECKING:  # the store (and SQLAlchemy) is imported only when an attempt is stored
    from .store import Store

RECORD_FORMAT = "collector-sim.attempt/2"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def unofficial_definitions(exam: Exam, engine: Any) -> list[str]:
    """What certification would refuse: files from outside the official set."""
    named = getattr(engine, "unofficial", None)
    if named is not None:
        return list(named(exam))
    from ..official import is_official

    return [] if is_official(exam.path) else [f"exam {exam.id} from {exam.path}"]


@dataclass
class AttemptResult:
    """What a finished (or abandoned) attempt came to; ``to_dict`` is the ``grade --json`` shape."""

    exam: str
    trainee: str
    attempt: int | None
    status: str
    verdict: Verdict
    calls: list[dict[str, Any]]
    signature: str | None
    stored: bool
    store: str | None = None
    note: str | None = None
    record: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam": self.exam, "trainee": self.trainee, "attempt": self.attempt,
            "calls": [{"scenario": c["scenario"], "seed": c["seed"], "outcome": c["outcome"],
                       "summary": c["summary"], "duration_s": c.get("duration_s"),
                       "ended_by": c.get("ended_by")} for c in self.calls],
            "passed": self.passed, "status": self.status, "reasons": list(self.verdict.reasons),
            "scores": dict(self.verdict.scores), "red_lines": [dict(r) for r in self.verdict.red_lines],
            "signature": self.signature, "stored": self.stored, "store": self.store,
        }


class ExamRun:
    """An attempt in progress. Create with ``ExamRun.begin``."""

    def __init__(self, exam: Exam, trainee: str, engine: Engine, store: Store | None, key: SigningKey | None,
                 now: Callable[[], str] = now_iso):
        self.exam = exam
        self.trainee = check_trainee(trainee)
        self.engine = engine
        self.store = store
        self.key = key
        self.now = now
        self.calls: list[dict[str, Any]] = []
        self.attempt_no: int | None = None
        self.attempt_id: int | None = None
        self.status = "incomplete"
        self.note: str | None = None
        self.started_at = now()
        self.finished_at: str | None = None
        self.signature: str | None = None
        self.content: dict[str, Any] = {}
        self.definitions: dict[str, Any] = {}
        self._verdict: Verdict | None = None

    # -- beginning ------------------------------------------------------------------------------
    @classmethod
    def _prepared(cls, exam: Exam, trainee: str, engine: Engine, store: Store | None, key: SigningKey | None,
                  now: Callable[[], str]) -> "ExamRun":
        """A run with everything an attempt is judged against worked out, not yet stored: the key
        bound to the store, the definitions checked official, the content hashes and the facts of
        the definitions set. ``begin`` and ``reopen`` both start here."""
        if store is not None and key is None:
            raise UserError("cannot certify without a signing key: set COLLECTOR_SIM_KEY "
                            "(or COLLECTOR_SIM_KEY_FILE)")
        if store is not None:
            refused = unofficial_definitions(exam, engine)
            if refused:
                raise UserError("cannot certify with definitions from outside the official set: "
                                + "; ".join(refused) + ". Certification uses the bundled exams or the centre's "
                                "folder in $COLLECTOR_SIM_OFFICIAL; practise with these using --practice")
            if store.key is None:
                store.key = key
            elif store.key.key_id != key.key_id:  # type: ignore[union-attr]
                raise UserError("the store was opened with another signing key than the attempt's")
        run = cls(exam, trainee, engine, store, key, now)
        check_exam = getattr(engine, "check_exam", None)
        if check_exam is not None:
            findings = check_exam(exam)
            if findings:
                raise LoadError(findings)
        scenario_ids = [c.scenario for c in exam.spec.calls]
        run.content = engine.content_hashes(scenario_ids, exam.spec.lang)
        run.content["exam"] = exam.text_hash
        facts = getattr(engine, "scenario_facts", None)
        run.definitions = dict(getattr(engine, "definitions", None) or {"set": "bundled"})
        if facts is not None:
            run.definitions["scenarios"] = {sid: facts(sid) for sid in scenario_ids}
        return run

    @classmethod
    def begin(cls, exam: Exam, trainee: str, *, engine: Engine, store: Store | None = None,
              key: SigningKey | None = None, now: Callable[[], str] = now_iso) -> "ExamRun":
        """Start an attempt. With a store it is numbered, limited and stored at once; that needs a key."""
        run = cls._prepared(exam, trainee, engine, store, key, now)
        if store is not None:
            def seal(number: int) -> tuple[dict[str, Any], str, str]:
                run.attempt_no = number
                return run._sealed()

            run.attempt_id, run.attempt_no = store.create_attempt(exam.id, run.trainee, exam.spec.attempts, seal)
        return run

    @classmethod
    def reopen(cls, exam: Exam, trainee: str, *, engine: Engine, store: Store, key: SigningKey,
               now: Callable[[], str] = now_iso) -> "ExamRun | None":
        """The trainee's open attempt at this exam, to carry on with after a crash, a kill or a
        closed terminal; None when there is none. Open means the latest attempt is ``incomplete``
        and was not abandoned (no note). It goes through the same checks as ``begin`` (signing key,
        official definitions only) and is refused (UserError) when its stored record does not match
        its signature, was written for another store, or the exam's, scenarios', personas' or rule
        pack's files, collector-sim or the official definitions set are not the ones it began
        with: the calls left must be judged against what the first ones were."""
        import json

        run = cls._prepared(exam, trainee, engine, store, key, now)
        rows = store.attempts(trainee=run.trainee, exam_id=exam.id, with_record=True)
        if not rows:
            return None
        last = max(rows, key=lambda a: int(a.attempt_no))
        if last.status != "incomplete" or last.note is not None:
            return None
        shown = f"attempt {last.attempt_no} of exam {exam.id!r} for {run.trainee!r}"
        if not key.check(last.record, last.signature):
            raise UserError(f"{shown}: its stored record does not match its signature, so it cannot be resumed "
                            "(see 'collector-sim verify')")
        record = json.loads(last.record)
        if record.get("store") != store.store_id:
            raise UserError(f"{shown}: its record was written for another results store ({record.get('store')}), "
                            "so it cannot be resumed here (see 'collector-sim verify')")
        stored_engine = record.get("engine") or {}
        if stored_engine.get("content") != run.content or stored_engine.get("version") != engine.version:
            raise UserError(f"{shown}: the exam's files or collector-sim changed since it began, so it cannot be "
                            "resumed; it stays incomplete")
        if stored_engine.get("definitions") != run.definitions:
            was = (stored_engine.get("definitions") or {}).get("set")
            raise UserError(f"{shown}: it began with the {was} definitions set and the official set now is the "
                            f"{run.definitions.get('set')} one, so it cannot be resumed; it stays incomplete")
        run.attempt_id, run.attempt_no = int(last.id), int(last.attempt_no)
        run.calls = list(record.get("calls") or [])
        run.started_at = record.get("started_at") or run.started_at
        run.signature = last.signature
        return run

    # -- the calls ------------------------------------------------------------------------------
    def pending(self) -> list[ExamCall]:
        """The calls still to make, in exam order."""
        return list(self.exam.spec.calls[len(self.calls):])

    def next_call(self) -> ExamCall | None:
        rest = self.pending()
        return rest[0] if rest else None

    def time_limit(self, call: ExamCall) -> int | None:
        return self.exam.time_limit(call)

    def session(self, call: ExamCall) -> Any:
        """A session for this call, with the exam's seed (for a UI to drive)."""
        return self.engine.session(call.scenario, call.seed)  # type: ignore[attr-defined]

    def record(self, result: dict[str, Any], duration_s: float | None = None, ended_by: str | None = None) -> None:
        """Store a finished call (the session's ``to_dict()``) and re-sign the attempt.

        ``ended_by`` says why the call ended when the caller knows better than the session, e.g.
        ``"time_limit"`` when the exam's clock ran out; without it, the session's own
        ``summary["ended_by"]`` is kept. It is stored on the call and in its summary, so the signed
        record says so."""
        if self.status != "incomplete" or self.note is not None:
            raise UserError(f"attempt {self.attempt_no} is closed ({self.status}); no more calls")
        call = self.next_call()
        if call is None:
            raise UserError("every call of this exam is already recorded")
        if result.get("scenario") != call.scenario or int(result.get("seed", -1)) != call.seed:
            raise UserError(f"expected call {len(self.calls) + 1} to be {call.scenario} with seed {call.seed}, "
                            f"got {result.get('scenario')} with seed {result.get('seed')}")
        if not result.get("outcome"):
            raise UserError(f"{call.scenario}: the call has not ended (no outcome); finish the session first")
        from ..session import ENDED_BY

        if ended_by is not None and ended_by not in ENDED_BY:
            raise UserError(f"ended_by {ended_by!r}: use one of {', '.join(ENDED_BY)}")
        stored = slim_call(result)
        ended_by = ended_by or (result.get("summary") or {}).get("ended_by")
        if ended_by is not None:
            stored["summary"] = {**stored["summary"], "ended_by": ended_by}
        stored["ended_by"] = ended_by
        stored["duration_s"] = None if duration_s is None else round(float(duration_s), 1)
        stored["time_limit_s"] = self.time_limit(call)
        self.calls.append(stored)
        self._save()

    def play(self, call: ExamCall, replies: Sequence[str], duration_s: float | None = None,
             ended_by: str | None = None) -> dict[str, Any]:
        """Run a call from recorded replies and record it (``grade``); ``ended_by`` as in ``record``."""
        result = self.engine.run_call(call.scenario, call.seed, list(replies))
        self.record(result, duration_s, ended_by=ended_by)
        return result

    # -- ending ---------------------------------------------------------------------------------
    def finish(self) -> AttemptResult:
        """Judge the attempt: passed or failed, signed. Every call must have been recorded."""
        if self.note is not None:
            raise UserError(f"attempt {self.attempt_no} was abandoned: {self.note}")
        if self.pending():
            raise UserError(f"{len(self.pending())} call(s) not made yet; abandon() the attempt instead")
        if self.finished_at is None:
            self._verdict = self._judge()
            self.status = "passed" if self._verdict.passed else "failed"
            self.finished_at = self.now()
            self._save()
        return self.result()

    def abandon(self, note: str) -> AttemptResult:
        """Close the attempt as incomplete, saying why (the UI quit, a call failed to load…)."""
        if self.finished_at is None and self.note is None:
            self.note = note[:500]
            self._save()
        return self.result()

    def __enter__(self) -> "ExamRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None and self.finished_at is None:
            try:
                self.abandon(f"interrupted: {exc_type.__name__}: {exc}".strip().rstrip(":"))
            except Exception:  # the store may be what failed; the row stays incomplete anyway
                pass

    def result(self) -> AttemptResult:
        verdict = self._verdict or self._judge()
        return AttemptResult(self.exam.id, self.trainee, self.attempt_no, self.status, verdict, list(self.calls),
                             self.signature, self.store is not None, self.store.shown if self.store else None,
                             self.note, self.to_record())

    # -- the signed record ----------------------------------------------------------------------
    def _judge(self) -> Verdict:
        return judge(self.exam.spec.pass_rules.model_dump(exclude_none=True), self.calls, len(self.exam.spec.calls))

    def to_record(self) -> dict[str, Any]:
        """The whole attempt as one JSON object: what is stored and what the signature covers."""
        verdict = self._verdict if self.finished_at else self._judge()
        result = verdict.to_dict()
        if self.status == "incomplete":
            result["passed"] = None
        spec = self.exam.spec
        return {
            "format": RECORD_FORMAT,
            "exam": {"id": spec.id, "title": spec.title, "lang": spec.lang, "attempts": spec.attempts,
                     "pass": spec.pass_rules.model_dump(exclude_none=True),
                     "calls": [{"scenario": c.scenario, "seed": c.seed, "time_limit_s": self.time_limit(c)}
                               for c in spec.calls]},
            "trainee": self.trainee, "attempt": self.attempt_no, "status": self.status,
            "started_at": self.started_at, "finished_at": self.finished_at, "note": self.note,
            "engine": {"version": self.engine.version, "content": self.content, "definitions": self.definitions},
            "calls": self.calls, "result": result,
            "key_id": self.key.key_id if self.key else None,
            "store": self.store.store_id if self.store is not None else None,
        }

    def _sealed(self) -> tuple[dict[str, Any], str, str]:
        assert self.key is not None
        record = self.to_record()
        text = canonical(record)
        self.signature = self.key.sign(text)
        return record, text, self.signature

    def _save(self) -> None:
        if self.store is None or self.attempt_id is None:
            return
        record, text, signature = self._sealed()
        self.store.update_attempt(self.attempt_id, record, text, signature)
