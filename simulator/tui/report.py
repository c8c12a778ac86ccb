"""The debrief as data, and its export (JSON and Markdown). Plain Python (no Textual).

The debrief screen and the exported files read the same functions, so what the trainee sees is
what they take away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .coach import DIMENSIONS, ENDED_BY_LABELS, MOOD, OUTCOME_LABELS, names, stage


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
    for t in session.turns:
        if t.analysis is None:
            continue
        for r in t.analysis.red_lines:
            out.append(RedLineDetail(t.turn, r.rule, red_names.get(r.rule, r.rule), r.evidence, r.message,
                                     r.suggestion, t.trainee, r.start, r.end))
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
    for t in session.turns:
        if t.turn == 0:
            continue
        move = t.state if t.state == t.previous_state else f"{t.previous_state} → {t.state}"
        reasons = [f.reason for f in t.fired if f.reason and f.kind != "reaction"]
        rows.append(TimelineRow(t.turn, t.trainee, t.debtor or "", move, dict(t.analysis.scores),
                                [red_names.get(r.rule, r.rule) for r in t.analysis.red_lines],
                                dict(t.variables), dict(t.changes), reasons))
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


def markdown(session: Any, mode: str, duration: float | None = None) -> str:
    sc = session.scenario
    c = sc.case
    summary = session.summary()
    lines: list[str] = [f"# 通话复盘:{sc.spec.title}", ""]
    lines.append(f"- 场景:`{sc.id}`(人设 {session.persona.id},种子 {session.seed},"
                 f"{'考试' if mode == 'exam' else '练习'}模式)")
    lines.append(f"- 案件:{c.debtor_name}{c.honorific} · {c.creditor} · {c.amount_text} · 逾期{c.overdue_days}天"
                 f"({stage(c.overdue_days)})· 通话时间 {c.clock}")
    if duration is not None:
        lines.append(f"- 通话时长:{int(duration) // 60:02d}:{int(duration) % 60:02d},共 {summary['replies']} 轮")
    outcome = session.outcome or "no_agreement"
    lines.append(f"- 结果:**{OUTCOME_LABELS.get(outcome, outcome)}**(`{outcome}`;"
                 f"{ENDED_BY_LABELS.get(session.ended_by or '', session.ended_by or '')})")
    lines.append(f"- 结论:**{'通过' if summary['passed'] else '未通过'}**")
    if summary.get("commitment"):
        cm = summary["commitment"]
        lines.append(f"- 承诺:{cm.get('deadline') or '—'} 还 {cm.get('amount_text') or '—'}"
                     f"({'已复述确认' if cm.get('confirmed') else '未复述确认'})")
    lines += ["", "## 得分", "", "| 维度 | 得分 |", "|---|---|"]
    for key, label in DIMENSIONS:
        lines.append(f"| {label} | {summary[key]} |")
    lines.append(f"| 总分 | {summary['overall']} |")
    lines += ["", "## 红线", ""]
    details = red_line_details(session)
    if not details:
        lines.append("没有触碰红线。")
    for d in details:
        lines += [f"- 第{d.turn}轮 · **{d.name}**(`{d.rule}`):「{d.evidence}」",
                  f"  - 为什么:{d.message}", f"  - 合规说法:{d.suggestion}"]
    lines += ["", "## 通话步骤", ""]
    for step, ok in summary["steps"].items():
        lines.append(f"- [{'x' if ok else ' '}] {summary['step_labels'][step]}")
    lines += ["", "## 逐轮", "", "| 轮 | 状态 | 礼貌 | 清晰 | 方案 | 红线 | " + " | ".join(l for _, l in MOOD) + " |",
              "|---|---|---|---|---|---|" + "---|" * len(MOOD)]
    for row in timeline(session):
        s = row.scores
        lines.append(f"| {row.turn} | {row.transition} | {s['politeness']} | {s['clarity']} | {s['solution']} | "
                     f"{'、'.join(row.red_lines) or '—'} | " + " | ".join(str(row.mood[k]) for k, _ in MOOD) + " |")
    lines += ["", "## 对话记录", ""]
    who = f"{c.debtor_name}{c.honorific}" if c.answerer.is_debtor else (c.answerer.name or c.answerer.relation)
    for t in session.turns:
        if t.trainee:
            lines.append(f"- **催收员**({t.turn}):{_md_escape(t.trainee)}")
        if t.debtor:
            lines.append(f"- **{who}**:{_md_escape(t.debtor)}")
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
