"""Pass or fail: the exam's rules applied to the calls of an attempt. Pure, no I/O.

Exam-level scores are the mean of the calls' session scores, rounded to one decimal; the
rounded value is what is compared, shown, stored and signed, so what a trainee reads is what
was judged. Reasons are short English lines, one per broken rule, in a stable order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .exam import DIMENSIONS, SUCCESS_OUTCOMES


@dataclass
class Verdict:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float | None] = field(default_factory=dict)
    red_lines: list[dict[str, Any]] = field(default_factory=list)
    successful_calls: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "reasons": list(self.reasons), "scores": dict(self.scores),
                "red_lines": [dict(r) for r in self.red_lines], "successful_calls": self.successful_calls}


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}"


def collect_red_lines(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, call in enumerate(calls):
        for r in (call.get("summary") or {}).get("red_lines", []):
            out.append({"call": i, "scenario": call.get("scenario"), "turn": r.get("turn"),
                        "rule": r.get("rule"), "evidence": r.get("evidence", "")})
    return out


def exam_scores(calls: list[dict[str, Any]]) -> dict[str, float | None]:
    done = [c for c in calls if c.get("summary")]
    out: dict[str, float | None] = {}
    for dim in (*DIMENSIONS, "overall"):
        out[dim] = mean([float(c["summary"].get(dim, 0)) for c in done])
    return out


def judge(pass_rules: dict[str, Any], calls: list[dict[str, Any]], expected_calls: int) -> Verdict:
    """Apply an exam's ``pass`` rules (as a plain dict, as stored) to the recorded calls.

    Each call dict is the stored call (see ``calls.slim_call``) plus optional ``duration_s`` and
    ``time_limit_s``. A missing call fails the attempt; it never counts as passed.
    """
    reasons: list[str] = []
    red = collect_red_lines(calls)
    for r in red:
        ev = f": 「{r['evidence']}」" if r["evidence"] else ""
        reasons.append(f"red line {r['rule']} in {r['scenario']} turn {r['turn']}{ev}")
    if len(calls) < expected_calls:
        reasons.append(f"only {len(calls)} of {expected_calls} calls completed")
    scores = exam_scores(calls)
    for dim in DIMENSIONS:
        minimum = (pass_rules.get("dimensions") or {}).get(dim)
        value = scores[dim]
        if minimum is not None and (value is None or value < minimum):
            reasons.append(f"{dim} {_fmt(value)} < {minimum}")
    overall_min = pass_rules.get("overall")
    if overall_min is not None and (scores["overall"] is None or scores["overall"] < overall_min):
        reasons.append(f"overall {_fmt(scores['overall'])} < {overall_min}")
    per_call = pass_rules.get("min_call_overall")
    if per_call is not None:
        for c in calls:
            value = (c.get("summary") or {}).get("overall", 0)
            if value < per_call:
                reasons.append(f"{c['scenario']}: overall {value} < {per_call}")
    successful = sum(1 for c in calls if c.get("outcome") in SUCCESS_OUTCOMES)
    need = pass_rules.get("min_successful_calls")
    if need is not None and successful < need:
        reasons.append(f"successful calls {successful} < {need} (promise_to_pay or message_left)")
    for c in calls:
        limit, took = c.get("time_limit_s"), c.get("duration_s")
        if limit is not None and took is not None and took > limit:
            reasons.append(f"{c['scenario']}: took {took:g} s > time limit {limit} s")
    return Verdict(not reasons, reasons, scores, red, successful)
