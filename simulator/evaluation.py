"""Measure the analyzer against a labeled corpus: precision, recall and F1 per id.

A corpus is JSON lines: ``{"id", "text", "context", "red_lines": [ids], "features": [ids]}``, and
optionally ``"tone": "polite"|"neutral"|"rude"``: then the politeness score is measured as a ranking
(AUC: how often a rude reply scores below a neutral, or a polite, one; ties count half).
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analyzer import FEATURES, RED_LINES, CallContext, analyze
from .errors import UserError


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, expected: bool, got: bool) -> None:
        if expected and got:
            self.tp += 1
        elif got:
            self.fp += 1
        elif expected:
            self.fn += 1


@dataclass
class Report:
    items: int = 0
    red_lines: dict[str, Tally] = field(default_factory=lambda: {i: Tally() for i in RED_LINES})
    features: dict[str, Tally] = field(default_factory=lambda: {i: Tally() for i in FEATURES})
    errors: list[dict[str, Any]] = field(default_factory=list)
    politeness: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in TONES})

    def auc(self, better: str, worse: str = "rude") -> float | None:
        """P(a `better` reply scores higher politeness than a `worse` one), ties half; None if a
        class is empty."""
        return auc(self.politeness[better], self.politeness[worse])

    @staticmethod
    def micro(tallies: dict[str, Tally]) -> Tally:
        total = Tally()
        for t in tallies.values():
            total.tp += t.tp
            total.fp += t.fp
            total.fn += t.fn
        return total

    def to_dict(self) -> dict[str, Any]:
        def table(tallies: dict[str, Tally]) -> dict[str, Any]:
            return {k: {"precision": round(t.precision, 3), "recall": round(t.recall, 3),
                        "f1": round(t.f1, 3), "tp": t.tp, "fp": t.fp, "fn": t.fn}
                    for k, t in tallies.items()}
        rl, ft = self.micro(self.red_lines), self.micro(self.features)
        return {"items": self.items, "red_lines": table(self.red_lines), "features": table(self.features),
                "red_lines_micro": {"precision": round(rl.precision, 3), "recall": round(rl.recall, 3),
                                    "f1": round(rl.f1, 3)},
                "features_micro": {"precision": round(ft.precision, 3), "recall": round(ft.recall, 3),
                                   "f1": round(ft.f1, 3)},
                "politeness_auc": {"neutral_vs_rude": _round(self.auc("neutral")),
                                   "polite_vs_rude": _round(self.auc("polite")),
                                   "polite_vs_neutral": _round(self.auc("polite", "neutral")),
                                   "counts": {k: len(v) for k, v in self.politeness.items()}},
                "errors": self.errors}

    def render(self) -> str:
        lines = [f"{self.items} replies"]
        for title, tallies in (("red line", self.red_lines), ("feature", self.features)):
            lines.append(f"\n{title:<24} {'prec':>6} {'recall':>6} {'F1':>6}   tp  fp  fn")
            for k, t in list(tallies.items()) + [("(micro)", self.micro(tallies))]:
                lines.append(f"{k:<24} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} {t.tp:4} {t.fp:3} {t.fn:3}")
        if any(self.politeness.values()):
            counts = ", ".join(f"{k} {len(v)}" for k, v in self.politeness.items())
            lines.append(f"\npoliteness AUC ({counts})")
            for better, worse in (("neutral", "rude"), ("polite", "rude"), ("polite", "neutral")):
                value = self.auc(better, worse)
                lines.append(f"{better + ' vs ' + worse:<24} {'-' if value is None else f'{value:6.3f}':>6}")
        return "\n".join(lines)


def group_errors(errors: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The errors grouped by what was judged wrongly: one group per red line or feature (missed
    or extra), and within an extra red line or feature, by the rule that fired. Largest first."""
    groups: dict[str, list[str]] = {}
    for e in errors:
        where = f"{e['id']}: {e['text']}"
        for kind, label in (("red_lines", "red line"), ("features", "feature")):
            for name in e[f"{kind}_missed"]:
                groups.setdefault(f"{label} {name} missed", []).append(where)
            rules = e.get("red_line_rules" if kind == "red_lines" else "feature_rules", {})
            for name in e[f"{kind}_extra"]:
                fired = rules.get(name) or []
                pairs = fired if fired and isinstance(fired[0], list) else [fired] if fired else []
                checks = sorted({p[0] for p in pairs}) or ["?"]
                words = "、".join(f"「{p[1]}」" for p in pairs)
                for check in checks:
                    groups.setdefault(f"{label} {name} extra, by {check}", []).append(f"{where}  {words}".rstrip())
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))

TONES = ("polite", "neutral", "rude")


def auc(higher: list[int], lower: list[int]) -> float | None:
    """Mann–Whitney AUC: the share of (h, l) pairs with h > l, ties counting half."""
    if not higher or not lower:
        return None
    ordered = sorted(lower)
    total = 0.0
    for h in higher:
        below = bisect.bisect_left(ordered, h)
        ties = bisect.bisect_right(ordered, h) - below
        total += below + ties / 2
    return total / (len(higher) * len(lower))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def read_corpus(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    items = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
    return items


def evaluate(items: list[dict[str, Any]]) -> Report:
    report = Report()
    for item in items:
        report.items += 1
        ctx = CallContext.model_validate(item.get("context") or {})
        result = analyze(item["text"], ctx)
        want_r, got_r = set(item.get("red_lines", [])), set(result.red_line_ids)
        want_f, got_f = set(item.get("features", [])), set(result.features)
        if "features" not in item:  # a corpus that labels only red lines or tone
            got_f = want_f
        for k, t in report.red_lines.items():
            t.add(k in want_r, k in got_r)
        for k, t in report.features.items():
            t.add(k in want_f, k in got_f)
        tone = item.get("tone")
        if tone is not None:
            if tone not in TONES:
                raise UserError(f"item {item.get('id')!r}: tone {tone!r} is not one of {', '.join(TONES)}")
            report.politeness[tone].append(result.scores["politeness"])
        if want_r != got_r or want_f != got_f:
            report.errors.append({
                "id": item.get("id"), "text": item["text"], "context": item.get("context") or {},
                "red_lines_missed": sorted(want_r - got_r), "red_lines_extra": sorted(got_r - want_r),
                "features_missed": sorted(want_f - got_f), "features_extra": sorted(got_f - want_f),
                # which rule said so, and on which words: {red line: [[rule id, evidence], ...]}
                "red_line_rules": {k: [[r.check, r.evidence] for r in result.red_lines if r.rule == k]
                                   for k in sorted(got_r - want_r)},
                "feature_rules": {k: [result.feature_hits[k].check, result.feature_hits[k].evidence]
                                  for k in sorted(got_f - want_f)},
            })
    return report
