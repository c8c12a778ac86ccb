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
from ..steps import CHECKLISTS
from .coach import (compliance_label, dimensions, ended_by_label, hint_at, mood, names, other_party, outcome_label,
                    persona_label, stage, state_label, widen)


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

    @property
    def quote(self) -> str:
        """The evidence widened to word/clause edges, for reading (the JSON keeps ``evidence``)."""
        return widen(self.reply, self.start, self.end, self.evidence)


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


def state_move(session: Any, before: str, after: str, short: bool = True) -> str:
    """「发泄怒气 → 情绪缓和」: the debtor's states in the trainee's words (persona descriptions)."""
    p, lang = session.persona, session.scenario.spec.lang
    if before == after:
        return state_label(p, after, short, lang)
    return f"{state_label(p, before, short, lang)} → {state_label(p, after, short, lang)}"


def timeline(session: Any) -> list[TimelineRow]:
    red_names, _ = names(session.scenario.spec.lang)
    rows = []
    for turn in session.turns:
        if turn.turn == 0:
            continue
        move = state_move(session, turn.previous_state, turn.state)
        reasons = [f.reason for f in turn.fired if f.reason and f.kind != "reaction"]
        rows.append(TimelineRow(turn.turn, turn.trainee, turn.debtor or "", move, dict(turn.analysis.scores),
                                [red_names.get(r.rule, r.rule) for r in turn.analysis.red_lines],
                                dict(turn.variables), dict(turn.changes), reasons))
    return rows


@dataclass(frozen=True)
class Finding:
    """Something to fix in a reply: a red line (veto) or a tone finding (rudeness below one)."""
    kind: str            # "red_line" | "tone"
    id: str              # the red line's rule, or the tone kind
    name: str            # its name in the trainee's language
    evidence: str        # the words the rule matched
    quote: str           # the same, widened to whole words/clauses for reading
    message: str
    suggestion: str
    start: int | None
    end: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "evidence": self.evidence, "quote": self.quote,
                "message": self.message, "suggestion": self.suggestion, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class TurnCoaching:
    """One turn of the call, opened: what was said, its scores, what was wrong, what was missing
    at that moment, and a model line for that moment (话术)."""
    turn: int
    trainee: str
    debtor: str
    state_before: str            # state ids
    state_after: str
    state: str                   # 「发泄怒气,抱怨、嚷嚷,不听解释 → 情绪缓和,…」 (persona descriptions)
    scores: dict[str, int]
    findings: list[Finding]
    missing_step: str | None     # the first checklist step still not done after this reply
    missing_label: str | None
    new_steps: list[str]         # labels of the steps this reply did
    why: str                     # what the model line works on
    model_line: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "trainee": self.trainee, "debtor": self.debtor,
                "state_before": self.state_before, "state_after": self.state_after, "state": self.state,
                "scores": dict(self.scores), "findings": [f.to_dict() for f in self.findings],
                "missing_step": self.missing_step, "missing_step_label": self.missing_label,
                "new_steps": list(self.new_steps), "why": self.why, "model_line": self.model_line}


def tone_names(lang: str) -> dict[str, str]:
    try:
        from ..analyzer import get_pack

        return {k: v.name for k, v in get_pack(lang).pack.tone.kinds.items()}
    except Exception:  # pragma: no cover - a broken pack still leaves the ids
        return {}


def coaching(session: Any) -> list[TurnCoaching]:
    """Every reply of the call, opened for the debrief and the exports."""
    lang = session.scenario.spec.lang
    red_names, _ = names(lang)
    tones = tone_names(lang)
    checklist = CHECKLISTS[session.persona.spec.checklist]
    labels = {st.id: t(f"steps.{st.id}", lang) for st in checklist}
    done: set[str] = set()
    variables: dict[str, int] = dict(session.turns[0].variables) if session.turns else dict(session.variables)
    out: list[TurnCoaching] = []
    for turn in session.turns:
        if turn.turn == 0 or turn.analysis is None:
            done.update(turn.new_steps)
            variables = dict(turn.variables)
            continue
        a = turn.analysis
        findings = [Finding("red_line", r.rule, red_names.get(r.rule, r.rule), r.evidence,
                            widen(turn.trainee, r.start, r.end, r.evidence), r.message, r.suggestion, r.start, r.end)
                    for r in a.red_lines]
        findings += [Finding("tone", f.kind, tones.get(f.kind, f.kind), f.evidence,
                             widen(turn.trainee, f.start, f.end, f.evidence), f.message, f.suggestion, f.start, f.end)
                     for f in getattr(a, "tone", [])]
        steps = {st.id: st.id in done for st in checklist}
        after = done | set(turn.new_steps)
        missing = next((st.id for st in checklist if st.id not in after), None)
        if findings:
            f = findings[0]
            why, line = f.name, f.suggestion
        else:
            h = hint_at(session, steps, turn.previous_state, variables)
            why, line = h.why, h.line
        out.append(TurnCoaching(
            turn.turn, turn.trainee, turn.debtor or "", turn.previous_state, turn.state,
            state_move(session, turn.previous_state, turn.state, short=False), dict(a.scores), findings,
            missing, labels.get(missing) if missing else None,
            [labels.get(k, k) for k in turn.new_steps if k in labels], why, line))
        done.update(turn.new_steps)
        variables = dict(turn.variables)
    return out


def header_facts(session: Any) -> dict[str, Any]:
    """The debrief's three separate facts: outcome (达成约定/留言/未达成/挂断/投诉), compliance
    (合规/触碰红线) and the score; ``replied`` is False when the trainee said nothing."""
    lang = session.scenario.spec.lang
    summary = session.summary()
    outcome = session.outcome or "no_agreement"
    return {"outcome": outcome, "outcome_label": outcome_label(outcome, lang),
            "passed": summary["passed"], "compliance": compliance_label(summary["passed"], lang),
            "overall": summary["overall"], "replied": summary["replies"] > 0}


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
    facts = header_facts(session)
    out["debrief"] = {"outcome_label": facts["outcome_label"], "compliance": facts["compliance"],
                      "replied": facts["replied"], "coaching": [c.to_dict() for c in coaching(session)]}
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
    lines.append(r("scenario", id=sc.id, persona=persona_label(session.persona.kind, lang), seed=session.seed,
                   mode=mode_label))
    lines.append(r("case", who=address(c, lang, full=True), creditor=c.creditor, amount=money(c.amount, lang),
                   days=c.overdue_days, stage=stage(c.overdue_days, lang), clock=c.clock))
    if duration is not None:
        lines.append(r("duration", clock=f"{int(duration) // 60:02d}:{int(duration) % 60:02d}",
                       replies=summary["replies"]))
    outcome = session.outcome or "no_agreement"
    lines.append(r("outcome", label=outcome_label(outcome, lang), outcome=outcome,
                   ended_by=ended_by_label(session.ended_by, lang)))
    facts = header_facts(session)
    if not facts["replied"]:
        lines.append(r("no_reply"))
    else:
        lines.append(r("compliance", label=facts["compliance"]))
        lines.append(r("overall", overall=facts["overall"]))
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
        lines += [r("red_line", turn=d.turn, name=d.name, rule=d.rule, evidence=_md_escape(d.quote)),
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
    coached = coaching(session)
    if coached:
        lines += ["", r("coaching")]
    sep_scores = t("format.list_sep", lang)
    for tc in coached:
        lines += ["", r("turn", turn=tc.turn, state=tc.state), "", r("said", text=_md_escape(tc.trainee))]
        if tc.debtor:
            lines.append(r("they", text=_md_escape(tc.debtor)))
        lines.append(r("turn_scores", scores=" · ".join(f"{label} {tc.scores.get(k, 0)}" for k, label in dims)))
        for f in tc.findings:
            kind = t("debrief.red_line" if f.kind == "red_line" else "debrief.tone", lang)
            lines.append(r("finding", kind=kind, name=f.name, quote=_md_escape(f.quote), message=_md_escape(f.message)))
        if tc.new_steps:
            lines.append(r("did", steps=sep_scores.join(tc.new_steps)))
        if tc.missing_label:
            lines.append(r("missing", step=tc.missing_label))
        if tc.model_line:
            lines.append(r("model", why=_md_escape(tc.why), line=_md_escape(tc.model_line)))
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
