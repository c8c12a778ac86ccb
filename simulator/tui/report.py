"""The debrief as data, and its export (JSON and Markdown). Plain Python (no Textual).

The debrief screen and the exported files read the same functions, so what the trainee sees is
what they take away; both are in the scenario's language (the locale catalogs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..i18n import address, money, t
from .coach import dimensions, ended_by_label, mood, names, other_party, outcome_label, stage


@dataclass(frozen=True)
class RedLineDetail:
    turn: int
    rule: str
    name: str
    evidence: str
    message: str
    suggestion: str
    reply: str
    start: int | None
    end: int | None


def red_line_details(session: Any) -> list[RedLineDetail]:
    """Every red line of the call, with its turn, words, rule and a lawful rewrite."""
    red_names, _ = names(session.scenario.spec.lang)
    out = []
    for turn in session.turns:
        if turn.analysis is None:
            continue
        for r in turn.analysis.red_lines:
            out.append(RedLineDetail(turn.turn, r.rule, red_names.get(r.rule, r.rule), r.evidence, r.message,
                                     r.suggestion, turn.trainee, r.start, r.end))
    return out


@dataclass(frozen=True)
class TimelineRow:
    turn: int
    trainee: str
    debtor: str
    transition: str       # "worried → explaining" or "worried"
    scores: dict[str, int]
    red_lines: list[str]
    mood: dict[str, int]
    changes: dict[str, int]
    reasons: list[str]    # why the debtor moved (reactions and transitions that fired)


def timeline(session: Any) -> list[TimelineRow]:
    red_names, _ = names(session.scenario.spec.lang)
    rows = []
    for turn in session.turns:
        if turn.turn == 0:
            continue
        move = turn.state if turn.state == turn.previous_state else f"{turn.previous_state} → {turn.state}"
        reasons = [f.reason for f in turn.fired if f.reason and f.kind != "reaction"]
        rows.append(TimelineRow(turn.turn, turn.trainee, turn.debtor or "", move, dict(turn.analysis.scores),
                                [red_names.get(r.rule, r.rule) for r in turn.analysis.red_lines],
                                dict(turn.variables), dict(turn.changes), reasons))
    return rows


def export_dict(session: Any, mode: str, duration: float | None = None) -> dict[str, Any]:
    """The contract's ``run --json`` object plus what the debrief adds."""
    out = session.to_dict()
    out["title"] = session.scenario.spec.title
    out["mode"] = mode
    if duration is not None:
        out["duration_seconds"] = round(duration, 1)
    out["red_line_details"] = [
        {"turn": d.turn, "rule": d.rule, "name": d.name, "evidence": d.evidence, "start": d.start, "end": d.end,
         "message": d.message, "suggestion": d.suggestion} for d in red_line_details(session)]
    return out


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def commitment_text(commitment: dict[str, Any], lang: str) -> str:
    """承诺:3月25日前 还 1100元(已复述确认) — the promise as the debrief states it."""
    none = t("format.none", lang)
    return t("debrief.commitment", lang, deadline=commitment.get("deadline") or none,
             amount=commitment.get("amount_text") or none,
             confirmed=t("debrief.confirmed" if commitment.get("confirmed") else "debrief.not_confirmed", lang))


def markdown(session: Any, mode: str, duration: float | None = None) -> str:
    sc = session.scenario
    c = sc.case
    lang = sc.spec.lang

    def r(key: str, **fields: Any) -> str:
        return t(f"report.{key}", lang, **fields)

    summary = session.summary()
    dims = dimensions(lang)
    moods = mood(lang)
    mode_label = t("mode.exam_mode" if mode == "exam" else "mode.practice_mode", lang)
    lines: list[str] = [r("title", title=sc.spec.title), ""]
    lines.append(r("scenario", id=sc.id, persona=session.persona.id, seed=session.seed, mode=mode_label))
    lines.append(r("case", who=address(c, lang, full=True), creditor=c.creditor, amount=money(c.amount, lang),
                   days=c.overdue_days, stage=stage(c.overdue_days, lang), clock=c.clock))
    if duration is not None:
        lines.append(r("duration", clock=f"{int(duration) // 60:02d}:{int(duration) % 60:02d}",
                       replies=summary["replies"]))
    outcome = session.outcome or "no_agreement"
    lines.append(r("outcome", label=outcome_label(outcome, lang), outcome=outcome,
                   ended_by=ended_by_label(session.ended_by, lang)))
    lines.append(r("verdict", verdict=t("debrief.passed" if summary["passed"] else "debrief.not_passed", lang)))
    if (summary.get("commitment") or {}).get("agreed"):   # a promise, not an offer the debtor turned down
        lines.append(r("commitment", text=commitment_text(summary["commitment"], lang)))
    lines += ["", r("scores"), "", r("score_header"), "|---|---|"]
    for key, label in dims:
        lines.append(f"| {label} | {summary[key]} |")
    lines.append(f"| {t('dimension.overall', lang)} | {summary['overall']} |")
    lines += ["", r("red_lines"), ""]
    details = red_line_details(session)
    if not details:
        lines.append(t("debrief.no_red_lines", lang))
    for d in details:
        lines += [r("red_line", turn=d.turn, name=d.name, rule=d.rule, evidence=d.evidence),
                  r("why", message=d.message), r("lawful", suggestion=d.suggestion)]
    lines += ["", r("steps"), ""]
    for step, ok in summary["steps"].items():
        lines.append(f"- [{'x' if ok else ' '}] {summary['step_labels'][step]}")
    head = [r("col_turn"), r("col_state"), *(label for _, label in dims), r("col_red"), *(label for _, label in moods)]
    lines += ["", r("timeline"), "", "| " + " | ".join(head) + " |",
              "|---|---|---|---|---|---|" + "---|" * len(moods)]
    sep = t("format.list_sep", lang)
    for row in timeline(session):
        s = row.scores
        lines.append(f"| {row.turn} | {row.transition} | {s['politeness']} | {s['clarity']} | {s['solution']} | "
                     f"{sep.join(row.red_lines) or t('format.none', lang)} | "
                     + " | ".join(str(row.mood[k]) for k, _ in moods) + " |")
    lines += ["", r("transcript"), ""]
    def who(speaker: str) -> str:
        return other_party(c, lang) if speaker == "debtor" else (c.answerer.name or c.answerer.relation)

    for turn in session.turns:
        if turn.trainee:
            lines.append(r("collector", turn=turn.turn, text=_md_escape(turn.trainee)))
        if turn.handover:
            lines.append(r("other", who=who("third_party"), text=_md_escape(turn.handover)))
        if turn.debtor:
            lines.append(r("other", who=who(turn.speaker), text=_md_escape(turn.debtor)))
    lines.append("")
    return "\n".join(lines)


def export(session: Any, folder: Path, mode: str, duration: float | None = None,
           stamp: str | None = None) -> tuple[Path, Path]:
    """Write ``<scenario>-<stamp>.json`` and ``.md`` into ``folder``; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp or datetime.now().strftime("%Y%m%d-%H%M%S")
    base = folder / f"{session.scenario.id}-{stamp}"
    json_path = base.with_suffix(".json")
    md_path = base.with_suffix(".md")
    json_path.write_text(json.dumps(export_dict(session, mode, duration), ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    md_path.write_text(markdown(session, mode, duration), encoding="utf-8")
    return json_path, md_path
