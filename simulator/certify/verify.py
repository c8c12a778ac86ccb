"""``verify``: is every stored attempt what was signed, and would it still score the same?

For each attempt: the HMAC over the stored record; the record's canonical form; every derived
column and row against the record (an edit to any stored field shows up); the verdict against
the record's own calls and pass rules; and, unless asked not to, a re-run of every call from its
recorded replies with the current engine, compared turn by turn. Gaps in a trainee's attempt
numbers (a deleted attempt) are reported too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .calls import Engine, replies_of, slim_call
from .judge import judge
from .signing import SigningKey
from .store import Store, StoredAttempt, derive

_FLOAT_COLUMNS = ("politeness", "clarity", "solution", "overall", "duration_s")


@dataclass
class Problem:
    attempt_id: int | None
    exam: str
    trainee: str
    attempt: int | None
    kind: str          # signature | edited | rescore | missing
    message: str

    def __str__(self) -> str:
        where = f"attempt {self.exam}/{self.trainee}/{self.attempt}"
        if self.attempt_id is not None:
            where += f" (row {self.attempt_id})"
        return f"{where}: {self.kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.attempt_id, "exam": self.exam, "trainee": self.trainee, "attempt": self.attempt,
                "kind": self.kind, "message": self.message}


@dataclass
class VerifyReport:
    checked: int = 0
    incomplete: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rescored_calls: int = 0

    @property
    def failed_attempts(self) -> int:
        return len({(p.exam, p.trainee, p.attempt) for p in self.problems})

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "failed": self.failed_attempts, "incomplete": list(self.incomplete),
                "rescored_calls": self.rescored_calls, "problems": [p.to_dict() for p in self.problems]}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return abs(float(a) - float(b)) < 1e-6
    return a == b


def _score_view(call: dict[str, Any]) -> dict[str, Any]:
    """What 'scores the same' means: outcome, session scores, red lines, and every turn's score."""
    s = call.get("summary") or {}
    return {
        "outcome": call.get("outcome"),
        **{k: s.get(k) for k in ("politeness", "clarity", "solution", "overall", "passed")},
        "red_lines": [(r.get("rule"), r.get("turn"), r.get("evidence")) for r in s.get("red_lines", [])],
        "turns": [(t.get("turn"), t.get("state"), (t.get("score") or {}).get("scores"),
                   tuple(r.get("rule") for r in (t.get("score") or {}).get("red_lines", [])))
                  for t in call.get("turns", [])],
    }


def _describe(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for k in ("outcome", "politeness", "clarity", "solution", "overall", "passed"):
        if old[k] != new[k]:
            out.append(f"{k} {old[k]} → {new[k]}")
    if old["red_lines"] != new["red_lines"]:
        fmt = lambda rs: ", ".join(f"{r}@{t}" for r, t, _ in rs) or "none"  # noqa: E731
        out.append(f"red lines {fmt(old['red_lines'])} → {fmt(new['red_lines'])}")
    if not out and old["turns"] != new["turns"]:
        for a, b in zip(old["turns"], new["turns"]):
            if a != b:
                out.append(f"turn {a[0]} scored differently")
                break
        else:
            out.append(f"{len(old['turns'])} turns → {len(new['turns'])}")
    return out


CallKey = tuple[str, int, tuple[str, ...]]
_WORKER_ENGINE: Any = None


def _rerun(engine: Any, key: CallKey) -> dict[str, Any] | str:
    try:
        return slim_call(engine.run_call(key[0], key[1], list(key[2])))
    except Exception as exc:  # unknown scenario, broken YAML …
        return f"cannot re-score {key[0]}: {str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__}"


def _worker_rerun(key: CallKey) -> dict[str, Any] | str:
    return _rerun(_WORKER_ENGINE, key)


def _keys(record: dict[str, Any]) -> list[CallKey]:
    return [(c["scenario"], int(c["seed"]), tuple(replies_of(c))) for c in record.get("calls", [])]


class Verifier:
    """Checks attempts in batches; with ``jobs`` > 1 the calls of a batch are re-run in worker processes."""

    BATCH = 400
    CACHE_LIMIT = 20_000

    def __init__(self, store: Store, key: SigningKey | None, engine: Engine | None, rescore: bool = True,
                 jobs: int = 1):
        self.store = store
        self.key = key
        self.engine = engine
        self.rescore = rescore and engine is not None
        self.jobs = max(1, jobs) if self.rescore else 1
        self._cache: dict[CallKey, dict[str, Any] | str] = {}

    def run(self, progress: Callable[[int], None] | None = None) -> VerifyReport:
        report = VerifyReport()
        calls_by_id, reds_by_id = self.store.children()
        numbers: dict[tuple[str, str], list[int]] = {}
        pool = None
        if self.jobs > 1:
            import multiprocessing

            global _WORKER_ENGINE
            _WORKER_ENGINE = self.engine  # forked workers inherit the loaded engine
            pool = multiprocessing.get_context("fork").Pool(self.jobs)
        try:
            batch: list[StoredAttempt] = []
            for row in self.store.iter_attempts():
                batch.append(row)
                if len(batch) >= self.BATCH:
                    self._check_batch(batch, pool, calls_by_id, reds_by_id, numbers, report, progress)
                    batch = []
            self._check_batch(batch, pool, calls_by_id, reds_by_id, numbers, report, progress)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        for (exam, trainee), nums in sorted(numbers.items()):
            expected = set(range(1, max(nums) + 1))
            for missing in sorted(expected - set(nums)):
                report.problems.append(Problem(None, exam, trainee, missing, "missing",
                                               f"attempt {missing} is not in the store (deleted?)"))
        return report

    def _check_batch(self, batch: list[StoredAttempt], pool: Any, calls_by_id: dict[int, Any],
                     reds_by_id: dict[int, Any], numbers: dict[tuple[str, str], list[int]], report: VerifyReport,
                     progress: Callable[[int], None] | None) -> None:
        parsed: list[dict[str, Any] | None] = []
        for row in batch:
            try:
                parsed.append(json.loads(row.record))
            except ValueError:
                parsed.append(None)
        if self.rescore:
            if len(self._cache) > self.CACHE_LIMIT:
                self._cache.clear()
            wanted = list(dict.fromkeys(k for rec in parsed if rec is not None for k in _safe_keys(rec)
                                        if k not in self._cache))
            if pool is not None and wanted:
                results = pool.map(_worker_rerun, wanted, chunksize=max(1, len(wanted) // (4 * self.jobs)))
            else:
                results = [_rerun(self.engine, k) for k in wanted]
            self._cache.update(zip(wanted, results))
            report.rescored_calls += len(wanted)
        for row, record in zip(batch, parsed):
            report.checked += 1
            numbers.setdefault((row.exam_id, row.trainee), []).append(int(row.attempt_no))
            report.problems += self.check(row, calls_by_id.get(row.id, []), reds_by_id.get(row.id, []), report,
                                          record)
            if progress is not None:
                progress(report.checked)

    def check(self, row: StoredAttempt, call_rows: list[dict[str, Any]], red_rows: list[dict[str, Any]],
              report: VerifyReport, record: dict[str, Any] | None = None) -> list[Problem]:
        def problem(kind: str, message: str) -> Problem:
            return Problem(row.id, row.exam_id, row.trainee, row.attempt_no, kind, message)

        out: list[Problem] = []
        # 1. the signature over the stored text
        if self.key is None:
            out.append(problem("signature", "cannot check: no signing key (set COLLECTOR_SIM_KEY)"))
        elif row.key_id != self.key.key_id and not self.key.check(row.record, row.signature):
            out.append(problem("signature", f"signed with key {row.key_id}, not the current key "
                                            f"{self.key.key_id}; cannot be checked with this key"))
        elif not self.key.check(row.record, row.signature):
            out.append(problem("signature", "does not match the record: the record or the signature was edited"))
        # 2. the record itself (its text is covered by the signature above)
        try:
            if record is None:
                record = json.loads(row.record)
            columns, want_calls, want_reds = derive(record)
        except (ValueError, KeyError, TypeError) as exc:
            out.append(problem("edited", f"the record cannot be read: {exc}"))
            return out
        # 3. derived columns and rows
        for name, value in columns.items():
            if not _same(row.columns.get(name), value):
                out.append(problem("edited", f"column {name} is {row.columns.get(name)!r} but the signed record "
                                             f"says {value!r}"))
        if not _rows_equal(call_rows, want_calls):
            out.append(problem("edited", "the attempt_calls rows differ from the signed record"))
        if not _rows_equal(red_rows, want_reds):
            out.append(problem("edited", "the attempt_red_lines rows differ from the signed record"))
        if record.get("status") == "incomplete":
            note = record.get("note") or "never finished"
            report.incomplete.append(f"{row.exam_id}/{row.trainee}/{row.attempt_no}: {note}")
        # 4. the verdict follows from the record's own calls and rules
        expected = len(record["exam"]["calls"])
        verdict = judge(record["exam"]["pass"], record["calls"], expected)
        if record.get("status") in ("passed", "failed"):
            if verdict.passed != (record["status"] == "passed") or verdict.reasons != record["result"].get("reasons"):
                out.append(problem("edited", f"status {record['status']} does not follow from the recorded calls "
                                             f"({'passed' if verdict.passed else 'failed'}: "
                                             f"{'; '.join(verdict.reasons) or 'no reasons'})"))
        # 5. re-score with the current engine
        if self.rescore:
            out += self._rescore(record, problem, report)
        return out

    def _rescore(self, record: dict[str, Any], problem: Callable[[str, str], Problem],
                 report: VerifyReport) -> list[Problem]:
        assert self.engine is not None
        out: list[Problem] = []
        new_calls = []
        diffs: list[str] = []
        content = (record.get("engine") or {}).get("content") or {}
        for call in record["calls"]:
            key = (call["scenario"], int(call["seed"]), tuple(replies_of(call)))
            fresh = self._cache.get(key)
            if fresh is None:
                fresh = self._cache[key] = _rerun(self.engine, key)
                report.rescored_calls += 1
            if isinstance(fresh, str):
                out.append(problem("rescore", fresh))
                return out
            fresh = dict(fresh, duration_s=call.get("duration_s"), time_limit_s=call.get("time_limit_s"))
            new_calls.append(fresh)
            changes = _describe(_score_view(call), _score_view(fresh))
            if changes:
                why = self._changed_content(call["scenario"], record, content)
                diffs.append(f"{call['scenario']}: {', '.join(changes[:4])}{why}")
        if record.get("status") in ("passed", "failed"):
            verdict = judge(record["exam"]["pass"], new_calls, len(record["exam"]["calls"]))
            now = "passed" if verdict.passed else "failed"
            if now != record["status"]:
                diffs.insert(0, f"would now be {now} (was {record['status']})")
        if diffs:
            out.append(problem("rescore", "; ".join(diffs)))
        return out

    def _changed_content(self, scenario: str, record: dict[str, Any], content: dict[str, Any]) -> str:
        try:
            now = self.engine.content_hashes([scenario], record["exam"].get("lang", "zh"))  # type: ignore[union-attr]
        except Exception:
            return ""
        changed = []
        if content.get("scenarios", {}).get(scenario) not in (None, now["scenarios"].get(scenario)):
            changed.append("scenario file")
        for pid, h in now.get("personas", {}).items():
            if content.get("personas", {}).get(pid) not in (None, h):
                changed.append(f"persona {pid}")
        for lang, h in now.get("rule_pack", {}).items():
            if content.get("rule_pack", {}).get(lang) not in (None, h):
                changed.append("rule pack")
        return f" (changed since the attempt: {', '.join(changed)})" if changed else ""


def _safe_keys(record: dict[str, Any]) -> list[CallKey]:
    try:
        return _keys(record)
    except (KeyError, TypeError, ValueError):
        return []


def _rows_equal(stored: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> bool:
    if len(stored) != len(wanted):
        return False
    for s, w in zip(stored, wanted):
        for k, v in w.items():
            if not _same(s.get(k), v):
                return False
    return True


def verify_store(store: Store, key: SigningKey | None, engine: Engine | None, rescore: bool = True,
                 progress: Callable[[int], None] | None = None, jobs: int = 1) -> VerifyReport:
    return Verifier(store, key, engine, rescore, jobs).run(progress)
