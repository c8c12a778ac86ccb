"""``verify``: is every stored attempt what was signed, is the store whole, and would each attempt
still be judged the same against the official definitions?

The whole store is read in one read transaction (``Store.snapshot``), so a grader writing at the
same time cannot make rows look edited. Then:

* the store: the ledger's head is signed by the key and names this store; the ledger's hash chain
  is unbroken; every attempt the ledger wrote is still there (a deleted attempt — even a trainee's
  latest — is named with what the ledger last saw of it);
* each attempt: the HMAC over the stored record; the record's shape (a malformed record is
  reported, never a crash, and the others are still checked); the record is the one the ledger
  last wrote (not an older version put back) and names this store (not copied from another store
  signed with the same key); every derived column and row against the record; the verdict against
  the record's own calls and pass rules; the trainee id is in canonical form;
* with an engine: every content hash the record keeps (exam, scenarios, personas, rule pack) against
  the official definitions now, naming what changed (``pass.overall: 65 → 70``, ``case.amount``);
  and, unless asked not to, a re-run of every call from its recorded replies, compared turn by
  turn — scores, red lines with their evidence, and the debtor's lines.

Every finding carries its evidence: the field, the stored value and the recomputed one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import UserError
from .attempt import check_trainee, trainee_is_canonical
from .calls import Engine, replies_of, slim_call
from .judge import judge
from .signing import SigningKey, sha256_hex
from .store import GENESIS, Snapshot, Store, StoredAttempt, derive, head_text, ledger_entry, ledger_link

_FLOAT_COLUMNS = ("politeness", "clarity", "solution", "overall", "duration_s")
KINDS = ("signature", "malformed", "edited", "copied", "ledger", "missing", "identity", "definitions", "rescore")


@dataclass
class Problem:
    attempt_id: int | None
    exam: str
    trainee: str
    attempt: int | None
    kind: str          # one of KINDS
    message: str
    field: str | None = None        # what differs
    stored: Any = None              # what the store holds
    recomputed: Any = None          # what it should be (the signed record, the ledger, the definitions now)

    def __str__(self) -> str:
        if not self.exam and not self.trainee:
            where = "store"
        else:
            where = f"attempt {self.exam}/{self.trainee}/{self.attempt}"
            if self.attempt_id is not None:
                where += f" (row {self.attempt_id})"
        return f"{where}: {self.kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.attempt_id, "exam": self.exam, "trainee": self.trainee, "attempt": self.attempt,
                "kind": self.kind, "message": self.message, "field": self.field,
                "stored": _jsonable(self.stored), "recomputed": _jsonable(self.recomputed)}


@dataclass
class VerifyReport:
    checked: int = 0
    incomplete: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rescored_calls: int = 0
    ledger_entries: int = 0

    @property
    def failed_attempts(self) -> int:
        return len({(p.exam, p.trainee, p.attempt) for p in self.problems})

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "failed": self.failed_attempts, "incomplete": list(self.incomplete),
                "rescored_calls": self.rescored_calls, "ledger_entries": self.ledger_entries,
                "notes": list(self.notes), "problems": [p.to_dict() for p in self.problems]}


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        try:
            return abs(float(a) - float(b)) < 1e-6
        except (TypeError, ValueError):
            return False
    return a == b


# -- the record's shape -----------------------------------------------------------------------------

class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


class _ExamCallShape(_Shape):
    scenario: str
    seed: int


class _ExamShape(_Shape):
    id: str
    attempts: int
    pass_rules: dict[str, Any] = Field(alias="pass")
    calls: list[_ExamCallShape] = Field(min_length=1)


class _EngineShape(_Shape):
    version: str
    content: dict[str, Any]


class _SummaryShape(_Shape):
    red_lines: list[dict[str, Any]] = []


class _CallShape(_Shape):
    scenario: str
    seed: int
    turns: list[dict[str, Any]]
    outcome: str | None
    summary: _SummaryShape
    duration_s: float | None = None


class _RedLineShape(_Shape):
    call: int
    scenario: str
    rule: str
    turn: int | None = None
    evidence: str | None = None


class _ResultShape(_Shape):
    scores: dict[str, float | None]
    red_lines: list[_RedLineShape]
    reasons: list[str]
    passed: bool | None


class _RecordShape(_Shape):
    format: Literal["collector-sim.attempt/1", "collector-sim.attempt/2"]
    exam: _ExamShape
    trainee: str
    attempt: int
    status: Literal["incomplete", "passed", "failed"]
    started_at: str
    finished_at: str | None = None
    note: str | None = None
    engine: _EngineShape
    calls: list[_CallShape]
    result: _ResultShape
    key_id: str | None


def shape_problems(record: Any) -> list[tuple[str, str]]:
    """(field, what is wrong) for every way the record is not an attempt record."""
    if not isinstance(record, dict):
        return [("record", f"is {type(record).__name__} {_short(record, 30)}, not an object")]
    try:
        _RecordShape.model_validate(record)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err["loc"]) or "record"
            got = "" if err["type"] == "missing" else f" (is {_short(err.get('input'), 30)})"
            out.append((where, f"{err['msg'].lower()}{got}"))
        return out
    return []


# -- re-scoring -------------------------------------------------------------------------------------

def _score_view(call: dict[str, Any]) -> dict[str, Any]:
    """What 'judged the same' means: outcome, session scores, red lines, every turn's score and state."""
    s = call.get("summary") or {}
    return {
        "outcome": call.get("outcome"),
        **{k: s.get(k) for k in ("politeness", "clarity", "solution", "overall", "passed")},
        "red_lines": [(r.get("rule"), r.get("turn"), r.get("evidence")) for r in s.get("red_lines", [])],
        "turns": [(t.get("turn"), t.get("state"), (t.get("score") or {}).get("scores"),
                   tuple(r.get("rule") for r in (t.get("score") or {}).get("red_lines", [])))
                  for t in call.get("turns", [])],
        "debtor": [(t.get("turn"), t.get("debtor")) for t in call.get("turns", [])],
    }


def _fmt_reds(reds: list[tuple[Any, Any, Any]], with_evidence: bool) -> str:
    if not reds:
        return "none"
    if with_evidence:
        return ", ".join(f"{r}@{t}「{e or ''}」" for r, t, e in reds)
    return ", ".join(f"{r}@{t}" for r, t, _ in reds)


def _describe(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any, str]]:
    """(field, stored, recomputed, text) for each difference between a stored call and its re-run."""
    out: list[tuple[str, Any, Any, str]] = []
    for k in ("outcome", "politeness", "clarity", "solution", "overall", "passed"):
        if old[k] != new[k]:
            out.append((k, old[k], new[k], f"{k} {old[k]} → {new[k]}"))
    if old["red_lines"] != new["red_lines"]:
        brief = _fmt_reds(old["red_lines"], False) != _fmt_reds(new["red_lines"], False)
        a, b = _fmt_reds(old["red_lines"], not brief), _fmt_reds(new["red_lines"], not brief)
        out.append(("red_lines", a, b, f"red lines {a} → {b}"))
    if not out and old["turns"] != new["turns"]:
        for x, y in zip(old["turns"], new["turns"]):
            if x != y:
                what = "state" if x[1] != y[1] else "scores" if x[2] != y[2] else "red lines"
                a, b = (x[1], y[1]) if what == "state" else (x[2], y[2]) if what == "scores" else (x[3], y[3])
                out.append((f"turn {x[0]} {what}", a, b, f"turn {x[0]} {what} {_short(a)} → {_short(b)}"))
                break
        else:
            out.append(("turns", len(old["turns"]), len(new["turns"]),
                        f"{len(old['turns'])} turns → {len(new['turns'])}"))
    if old["debtor"] != new["debtor"]:
        for x, y in zip(old["debtor"], new["debtor"]):
            if x != y:
                out.append((f"turn {x[0]} debtor", x[1], y[1],
                            f"turn {x[0]} debtor line 「{_short(x[1] or '', 40)}」 → 「{_short(y[1] or '', 40)}」"))
                break
        else:
            if not any(f == "turns" for f, *_ in out):
                out.append(("turns", len(old["debtor"]), len(new["debtor"]),
                            f"{len(old['debtor'])} turns → {len(new['debtor'])}"))
    return out


CallKey = tuple[str, int, tuple[str, ...]]
_WORKER_ENGINE: Any = None
_UNREAD: Any = object()  # a record not parsed yet (``null`` is a record too: a malformed one)


def _rerun(engine: Any, key: CallKey) -> dict[str, Any] | str:
    try:
        return slim_call(engine.run_call(key[0], key[1], list(key[2])))
    except Exception as exc:  # noqa: BLE001 - unknown scenario, broken YAML …: the message is the finding
        return f"cannot re-score {key[0]}: {str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__}"


def _worker_rerun(key: CallKey) -> dict[str, Any] | str:
    return _rerun(_WORKER_ENGINE, key)


def _keys(record: dict[str, Any]) -> list[CallKey]:
    return [(c["scenario"], int(c["seed"]), tuple(replies_of(c))) for c in record.get("calls", [])]


def _safe_keys(record: Any) -> list[CallKey]:
    try:
        return _keys(record)
    except (AttributeError, KeyError, TypeError, ValueError):
        return []


# -- differences between definitions ------------------------------------------------------------------

def diff_values(old: Any, new: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted field, old, new) for every leaf that differs between two JSON values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new), key=str):
            out += diff_values(old.get(k), new.get(k), f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new)):
            out += diff_values(a, b, f"{prefix}.{i}" if prefix else str(i))
        return out
    return [] if _same(old, new) else [(prefix or "value", old, new)]


def _exam_view(exam: Any) -> dict[str, Any]:
    """An exam as a record keeps it (see ``ExamRun.to_record``)."""
    s = exam.spec
    return {"id": s.id, "title": s.title, "lang": s.lang, "attempts": s.attempts,
            "pass": s.pass_rules.model_dump(exclude_none=True),
            "calls": [{"scenario": c.scenario, "seed": c.seed, "time_limit_s": exam.time_limit(c)} for c in s.calls]}


def _changes(diffs: list[tuple[str, Any, Any]], limit: int = 4) -> str:
    shown = [f"{f}: {_short(a, 40)} → {_short(b, 40)}" for f, a, b in diffs[:limit]]
    if len(diffs) > limit:
        shown.append(f"and {len(diffs) - limit} more")
    return "; ".join(shown)


class Verifier:
    """Checks a store; with ``jobs`` > 1 the calls are re-run in worker processes."""

    BATCH = 400
    CACHE_LIMIT = 20_000

    def __init__(self, store: Store, key: SigningKey | None, engine: Engine | None, rescore: bool = True,
                 jobs: int = 1, exams: Any = None):
        self.store = store
        self.key = key
        self.engine = engine
        self.rescore = rescore and engine is not None
        self.jobs = max(1, jobs) if self.rescore else 1
        self._cache: dict[CallKey, dict[str, Any] | str] = {}
        self._exams = exams
        self._hashes: dict[tuple[str, str], dict[str, Any] | str] = {}
        self._facts: dict[str, dict[str, Any] | None] = {}

    # -- the run --------------------------------------------------------------------------------
    def run(self, progress: Callable[[int], None] | None = None) -> VerifyReport:
        report = VerifyReport()
        snap = self.store.snapshot()
        latest, versions = self._check_ledger(snap, report)
        pool = None
        if self.jobs > 1:
            import multiprocessing

            global _WORKER_ENGINE
            _WORKER_ENGINE = self.engine  # forked workers inherit the loaded engine
            pool = multiprocessing.get_context("fork").Pool(self.jobs)
        seen: dict[tuple[str, str, int], int] = {}
        try:
            for i in range(0, len(snap.attempts), self.BATCH):
                self._check_batch(snap, snap.attempts[i:i + self.BATCH], pool, latest, versions, seen, report,
                                  progress)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        # attempts the ledger wrote that are gone
        for ident, entry in latest.items():
            if ident not in seen:
                exam, trainee, number = ident
                report.problems.append(Problem(
                    None, exam, trainee, number, "missing",
                    f"deleted: the ledger last wrote this attempt as {entry['status']} at {entry['written_at']} "
                    f"(entry {entry['seq']}); it is not in the store", "attempt", None, entry["status"]))
        # gaps in a trainee's numbers that the ledger cannot explain (a store from before the ledger)
        numbers: dict[tuple[str, str], set[int]] = {}
        for exam, trainee, number in list(seen) + list(latest):
            numbers.setdefault((exam, trainee), set()).add(number)
        for (exam, trainee), nums in sorted(numbers.items()):
            for missing in sorted(set(range(1, max(nums) + 1)) - nums):
                report.problems.append(Problem(None, exam, trainee, missing, "missing",
                                               f"attempt {missing} is not in the store (deleted?)", "attempt",
                                               None, missing))
        return report

    # -- the store as a whole -------------------------------------------------------------------
    def _check_ledger(self, snap: Snapshot, report: VerifyReport
                      ) -> tuple[dict[tuple[str, str, int], dict[str, Any]], dict[tuple[str, str, int], list[str]]]:
        def store_problem(message: str, fld: str | None = None, stored: Any = None, recomputed: Any = None) -> None:
            report.problems.append(Problem(None, "", "", None, "ledger", message, fld, stored, recomputed))

        latest: dict[tuple[str, str, int], dict[str, Any]] = {}
        versions: dict[tuple[str, str, int], list[str]] = {}
        report.ledger_entries = len(snap.ledger)
        head = snap.head
        head_ok = False
        if not snap.store_id:
            store_problem("the store has no id (store_meta is empty): it was tampered with", "store_meta.store_id")
        if head is None:
            store_problem("the ledger has no head (store_head is empty): it was tampered with", "store_head")
        elif head.get("signature") is None:
            named = any(f'"store":"{snap.store_id}"' in a.record for a in snap.attempts) if snap.store_id else False
            if snap.ledger or int(head.get("seq") or 0) != 0 or named:
                store_problem("the ledger's head is unsigned although attempts were written through it: it was "
                              "reset", "store_head.signature", None, "a signature")
            elif snap.attempts:
                report.notes.append(f"{len(snap.attempts)} attempts predate the store's ledger; they enter it with "
                                    "the next attempt graded (until then a deleted one cannot be told)")
        elif self.key is not None:
            text = head_text(snap.store_id, head["seq"], head["link"])
            head_ok = self.key.check(text, head["signature"])
            if not head_ok:
                if head.get("key_id") != self.key.key_id:
                    store_problem(f"the ledger's head is signed with key {head.get('key_id')}, not the current key "
                                  f"{self.key.key_id}", "store_head.key_id", head.get("key_id"), self.key.key_id)
                else:
                    store_problem("the ledger's head does not match its signature: its count, link or the store "
                                  "id was edited", "store_head", f"seq {head['seq']}, link {head['link'][:12]}…",
                                  "a head signed by this key")
        # the chain
        link, expected = GENESIS, 1
        for row in snap.ledger:
            seq = int(row["seq"])
            if seq != expected:
                store_problem(f"ledger entries {expected}–{seq - 1} are missing (deleted)" if seq > expected
                              else f"ledger entry {seq} is out of order", "ledger.seq", seq, expected)
            try:
                want = ledger_link(link, ledger_entry(row))
            except (KeyError, TypeError, ValueError) as exc:
                want = f"unreadable entry ({exc})"
            if want != row["link"]:
                store_problem(f"ledger entry {seq} ({row['exam_id']}/{row['trainee']}/{row['attempt_no']}) does "
                              "not chain: it, or the entry before it, was edited", f"ledger.{seq}.link",
                              row["link"], want)
            link, expected = str(row["link"]), seq + 1
            ident = (str(row["exam_id"]), str(row["trainee"]), int(row["attempt_no"]))
            latest[ident] = row
            versions.setdefault(ident, []).append(str(row["record_hash"]))
        if head is not None and head_ok:
            if int(head["seq"]) != expected - 1:
                store_problem(f"the ledger's head counts {head['seq']} entries, the ledger holds {expected - 1}: "
                              "entries were deleted" if int(head["seq"]) > expected - 1 else
                              f"the ledger's head counts {head['seq']} entries, the ledger holds {expected - 1}: "
                              "entries were added", "store_head.seq", expected - 1, int(head["seq"]))
            elif head["link"] != link:
                store_problem("the ledger's last link is not the one its head signed: the last entry was "
                              "replaced", "store_head.link", link, head["link"])
        return latest, versions

    # -- attempts ---------------------------------------------------------------------------------
    def _check_batch(self, snap: Snapshot, batch: list[StoredAttempt], pool: Any,
                     latest: dict[tuple[str, str, int], dict[str, Any]],
                     versions: dict[tuple[str, str, int], list[str]], seen: dict[tuple[str, str, int], int],
                     report: VerifyReport, progress: Callable[[int], None] | None) -> None:
        parsed: list[Any] = []
        for row in batch:
            try:
                parsed.append(json.loads(row.record))
            except (TypeError, ValueError, RecursionError):
                parsed.append(_UNREAD)  # check() reads it again and says why it cannot
        shapes = [None if rec is _UNREAD else shape_problems(rec) for rec in parsed]
        if self.rescore:
            if len(self._cache) > self.CACHE_LIMIT:
                self._cache.clear()
            wanted = list(dict.fromkeys(k for rec, shape in zip(parsed, shapes) if shape == []
                                        for k in _safe_keys(rec) if k not in self._cache))
            if pool is not None and wanted:
                results = pool.map(_worker_rerun, wanted, chunksize=max(1, len(wanted) // (4 * self.jobs)))
            else:
                results = [_rerun(self.engine, k) for k in wanted]
            self._cache.update(zip(wanted, results))
            report.rescored_calls += len(wanted)
        for row, record, shape in zip(batch, parsed, shapes):
            report.checked += 1
            try:
                report.problems += self.check(row, snap.calls.get(row.id, []), snap.red_lines.get(row.id, []),
                                              report, record, snap=snap, latest=latest, versions=versions,
                                              seen=seen, shape=shape)
            except Exception as exc:  # noqa: BLE001 - a record malformed in a way no check foresaw: reported
                report.problems.append(Problem(row.id, str(row.exam_id), str(row.trainee), _int(row.attempt_no),
                                               "malformed", f"cannot be checked: {exc.__class__.__name__}: {exc}",
                                               "record"))
            if progress is not None:
                progress(report.checked)

    def check(self, row: StoredAttempt, call_rows: list[dict[str, Any]], red_rows: list[dict[str, Any]],
              report: VerifyReport, record: Any = _UNREAD, *, snap: Snapshot | None = None,
              latest: dict[tuple[str, str, int], dict[str, Any]] | None = None,
              versions: dict[tuple[str, str, int], list[str]] | None = None,
              seen: dict[tuple[str, str, int], int] | None = None,
              shape: list[tuple[str, str]] | None = None) -> list[Problem]:
        exam_id, trainee, number = str(row.exam_id), str(row.trainee), _int(row.attempt_no)
        out: list[Problem] = []

        def problem(kind: str, message: str, fld: str | None = None, stored: Any = None,
                    recomputed: Any = None) -> None:
            out.append(Problem(row.id, exam_id, trainee, number, kind, message, fld, stored, recomputed))

        # 1. the signature over the stored text
        if self.key is None:
            problem("signature", "cannot check: no signing key (set COLLECTOR_SIM_KEY)", "signature")
        elif row.key_id != self.key.key_id and not self.key.check(row.record, row.signature):
            problem("signature", f"signed with key {row.key_id}, not the current key {self.key.key_id}; cannot be "
                                 "checked with this key", "key_id", row.key_id, self.key.key_id)
        elif not self.key.check(row.record, row.signature):
            problem("signature", "does not match the record: the record or the signature was edited", "signature",
                    _short(row.signature, 20), "HMAC-SHA256 of the stored record with the current key")
        # 2. the record can be read and is an attempt record
        readable = True
        if record is _UNREAD:
            try:
                record = json.loads(row.record)
            except (TypeError, ValueError, RecursionError) as exc:
                problem("malformed", f"the record is not JSON: {str(exc)[:120]}", "record", _short(row.record, 40))
                readable = False
        if not readable:
            shape = [("record", "not JSON")]
        elif shape is None:
            shape = shape_problems(record)
        if readable and shape:
            for fld, what in shape[:6]:
                problem("malformed", f"record field {fld}: {what}", fld)
            if len(shape) > 6:
                problem("malformed", f"and {len(shape) - 6} more malformed fields", "record")
        ident = (exam_id, trainee, number) if number is not None else None
        if not shape:
            ident = (record["exam"]["id"], record["trainee"], record["attempt"])
        # 3. the ledger: written by this store, and the last version written
        if snap is not None and ident is not None:
            if seen is not None:
                if ident in seen:
                    problem("ledger", f"a second row for this attempt (the first is row {seen[ident]})", "id",
                            row.id, seen[ident])
                seen.setdefault(ident, row.id)
            self._check_chained(row, ident, record if not shape else None, snap, latest or {}, versions or {},
                                problem)
        if shape:
            return out
        try:
            self._check_contents(row, record, call_rows, red_rows, report, problem)
        except Exception as exc:  # a corner no shape check foresaw: reported with what was found so far
            problem("malformed", f"cannot be checked further: {exc.__class__.__name__}: {exc}", "record")
        return out

    def _check_contents(self, row: StoredAttempt, record: dict[str, Any], call_rows: list[dict[str, Any]],
                        red_rows: list[dict[str, Any]], report: VerifyReport, problem: Callable[..., None]) -> None:
        # 4. derived columns and rows
        columns, want_calls, want_reds = derive(record)
        for name, value in columns.items():
            if not _same(row.columns.get(name), value):
                problem("edited", f"column {name}: stored {row.columns.get(name)!r}, the signed record says "
                                  f"{value!r}", f"attempts.{name}", row.columns.get(name), value)
        for table, stored_rows, wanted in (("attempt_calls", call_rows, want_calls),
                                           ("attempt_red_lines", red_rows, want_reds)):
            for fld, a, b in _row_differences(stored_rows, wanted):
                problem("edited", f"{table} {fld}: stored {a!r}, the signed record says {b!r}", f"{table}.{fld}", a, b)
        if record.get("status") == "incomplete":
            note = record.get("note") or "never finished"
            report.incomplete.append(f"{record['exam']['id']}/{record['trainee']}/{record['attempt']}: {note}")
        if not trainee_is_canonical(record["trainee"]):
            try:
                canon = check_trainee(record["trainee"])
            except UserError as exc:
                canon = f"refused ({exc})"
            problem("identity", f"trainee id {record['trainee']!r} is not in canonical form ({canon!r}): its "
                                "attempts are counted apart from the same trainee's", "trainee",
                    record["trainee"], canon)
        # 5. the verdict follows from the record's own calls and rules
        expected = len(record["exam"]["calls"])
        verdict = judge(record["exam"]["pass"], record["calls"], expected)
        if record["status"] in ("passed", "failed"):
            now = "passed" if verdict.passed else "failed"
            if now != record["status"] or verdict.reasons != record["result"].get("reasons"):
                problem("edited", f"status {record['status']} does not follow from the recorded calls and pass "
                                  f"rules ({now}: {'; '.join(verdict.reasons) or 'no reasons'})", "status",
                        {"status": record["status"], "reasons": record["result"].get("reasons")},
                        {"status": now, "reasons": verdict.reasons})
        # 6. the definitions now, and a re-score
        if self.engine is not None:
            self._check_definitions(record, problem)
        if self.rescore:
            self._rescore(record, problem, report)

    def _check_chained(self, row: StoredAttempt, ident: tuple[str, str, int], record: dict[str, Any] | None,
                       snap: Snapshot, latest: dict[tuple[str, str, int], dict[str, Any]],
                       versions: dict[tuple[str, str, int], list[str]], problem: Callable[..., None]) -> None:
        if record is not None and record.get("format") != "collector-sim.attempt/1":
            named = record.get("store")
            if named != snap.store_id:
                problem("copied", f"the record belongs to store {named}, this store is {snap.store_id}: copied from "
                                  "another store signed with the same key", "store", named, snap.store_id)
        head_signed = snap.head is not None and snap.head.get("signature") is not None
        legacy = record is None or record.get("format") == "collector-sim.attempt/1"
        if not head_signed and not snap.ledger and legacy:
            return  # a store from before the ledger (noted once for the store)
        entry = latest.get(ident)
        digest = sha256_hex(row.record) if isinstance(row.record, str) else None
        if entry is None:
            problem("ledger", "not in the store's ledger: this store never wrote it (inserted, or copied from "
                              "another store)", "ledger", None, "an entry for this attempt")
        elif digest != entry["record_hash"]:
            history = versions.get(ident, [])
            if digest in history:
                k = history.index(digest) + 1
                problem("ledger", f"an older version of the record was put back: version {k} of {len(history)} "
                                  f"written; the last (entry {entry['seq']}) was {entry['status']}",
                        "record_hash", digest, entry["record_hash"])
            else:
                problem("ledger", f"the record is not the one the ledger last wrote (entry {entry['seq']}, "
                                  f"{entry['status']})", "record_hash", digest, entry["record_hash"])

    # -- the definitions ---------------------------------------------------------------------------
    def _exam_catalog(self) -> Any:
        if self._exams is None:
            from .exam import ExamCatalog

            self._exams = ExamCatalog.discover(official_only=True)
        return self._exams

    def _current_hashes(self, scenario: str, lang: str) -> dict[str, Any] | str:
        key = (scenario, lang)
        if key not in self._hashes:
            try:
                self._hashes[key] = self.engine.content_hashes([scenario], lang)  # type: ignore[union-attr]
            except Exception as exc:  # noqa: BLE001 - the scenario is gone or broken: the finding
                self._hashes[key] = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return self._hashes[key]

    def _current_facts(self, scenario: str) -> dict[str, Any] | None:
        if scenario not in self._facts:
            facts = getattr(self.engine, "scenario_facts", None)
            try:
                self._facts[scenario] = facts(scenario) if facts is not None else None
            except Exception:  # noqa: BLE001 - no facts: the hash difference is reported without them
                self._facts[scenario] = None
        return self._facts[scenario]

    def _check_definitions(self, record: dict[str, Any], problem: Callable[..., None]) -> None:
        content = record["engine"].get("content") or {}
        defs = record["engine"].get("definitions") or {}
        lang = record["exam"].get("lang") or "zh"
        now_set = getattr(self.engine, "definitions", None)
        if defs and now_set is not None:
            was = {k: defs.get(k) for k in ("set", "dir")}
            now = {k: now_set.get(k) for k in ("set", "dir")}
            if was != now:
                problem("definitions", f"judged against the {_set_name(was)} definitions; the official set now is "
                                       f"the {_set_name(now)}", "definitions", was, now)
        # the exam
        stored_exam_hash = content.get("exam")
        if stored_exam_hash:
            try:
                exam = self._exam_catalog().exams.get(record["exam"]["id"])
            except Exception as exc:  # noqa: BLE001 - a broken official exam file is the finding
                exam, why = None, str(exc)
            else:
                why = "not in the official set any more"
            if exam is None:
                problem("definitions", f"exam {record['exam']['id']}: {why}", "exam", stored_exam_hash, None)
            elif exam.text_hash != stored_exam_hash:
                diffs = diff_values(record["exam"], _exam_view(exam))
                what = _changes(diffs) if diffs else "a part the record does not keep (description, comments)"
                problem("definitions", f"exam {exam.id} changed since the attempt: {what}",
                        "exam" if not diffs else f"exam.{diffs[0][0]}",
                        diffs[0][1] if diffs else stored_exam_hash[:12], diffs[0][2] if diffs else exam.text_hash[:12])
        # scenarios, personas, the rule pack
        stored_facts = defs.get("scenarios") or {}
        now_personas: dict[str, str] = {}
        now_packs: dict[str, str] = {}
        for sid, h in sorted((content.get("scenarios") or {}).items()):
            now = self._current_hashes(sid, lang)
            if isinstance(now, str):
                problem("definitions", f"scenario {sid}: {now}", f"scenario {sid}", h, None)
                continue
            now_h = now["scenarios"].get(sid)
            if now_h != h:
                diffs = diff_values(stored_facts.get(sid), self._current_facts(sid)) if sid in stored_facts else []
                what = _changes(diffs) if diffs else f"the file changed (sha256 {str(h)[:12]}… → {str(now_h)[:12]}…)"
                problem("definitions", f"scenario {sid} changed since the attempt: {what}",
                        f"scenario {sid}" + (f" {diffs[0][0]}" if diffs else ""),
                        diffs[0][1] if diffs else h, diffs[0][2] if diffs else now_h)
            now_personas.update(now["personas"])
            now_packs.update(now["rule_pack"])
        for pid, ph in sorted((content.get("personas") or {}).items()):
            if pid in now_personas and now_personas[pid] != ph:
                problem("definitions", f"persona {pid} changed since the attempt (sha256 {str(ph)[:12]}… → "
                                       f"{now_personas[pid][:12]}…)", f"persona {pid}", ph, now_personas[pid])
        for plang, rh in sorted((content.get("rule_pack") or {}).items()):
            if plang in now_packs and now_packs[plang] != rh:
                problem("definitions", f"rule pack {plang} changed since the attempt (sha256 {str(rh)[:12]}… → "
                                       f"{now_packs[plang][:12]}…)", f"rule_pack {plang}", rh, now_packs[plang])

    def _rescore(self, record: dict[str, Any], problem: Callable[..., None], report: VerifyReport) -> None:
        assert self.engine is not None
        new_calls = []
        diffs: list[str] = []
        first: tuple[str, Any, Any] | None = None
        for call in record["calls"]:
            key = (call["scenario"], int(call["seed"]), tuple(replies_of(call)))
            fresh = self._cache.get(key)
            if fresh is None:
                fresh = self._cache[key] = _rerun(self.engine, key)
                report.rescored_calls += 1
            if isinstance(fresh, str):
                problem("rescore", fresh, f"calls.{call['scenario']}", None, None)
                return
            fresh = dict(fresh, duration_s=call.get("duration_s"), time_limit_s=call.get("time_limit_s"))
            new_calls.append(fresh)
            changes = _describe(_score_view(call), _score_view(fresh))
            if changes:
                diffs.append(f"{call['scenario']}: {', '.join(c[3] for c in changes[:4])}")
                if first is None:
                    f, a, b, _ = changes[0]
                    first = (f"calls.{call['scenario']}.{f}", a, b)
        if record.get("status") in ("passed", "failed"):
            verdict = judge(record["exam"]["pass"], new_calls, len(record["exam"]["calls"]))
            now = "passed" if verdict.passed else "failed"
            if now != record["status"]:
                diffs.insert(0, f"would now be {now} (was {record['status']})")
                first = ("status", record["status"], now)
        if diffs:
            assert first is not None
            problem("rescore", "; ".join(diffs), *first)


def _set_name(d: dict[str, Any]) -> str:
    return "bundled" if d.get("set") == "bundled" else f"centre's ({d.get('dir')})"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _row_differences(stored: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    """(field, stored, from the record) for derived rows that differ."""
    out: list[tuple[str, Any, Any]] = []
    for i, (s, w) in enumerate(zip(stored, wanted)):
        for k, v in w.items():
            if not _same(s.get(k), v):
                out.append((f"row {i} {k}", s.get(k), v))
    if len(stored) != len(wanted):
        out.append(("rows", len(stored), len(wanted)))
    return out


def verify_store(store: Store, key: SigningKey | None, engine: Engine | None, rescore: bool = True,
                 progress: Callable[[int], None] | None = None, jobs: int = 1) -> VerifyReport:
    return Verifier(store, key, engine, rescore, jobs).run(progress)
