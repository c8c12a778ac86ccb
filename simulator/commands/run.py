"""``collector-sim run``: a whole call without the UI, one trainee reply per non-empty line."""

from __future__ import annotations

import argparse
import json
import sys

from ._common import add_path_option, read_input_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="hold a call without the UI (replies from a file)", description=(
        "Run SCENARIO_ID with the trainee replies in FILE (each non-empty line is one reply; - for "
        "stdin). Prints a transcript with each reply's score, or the contract's JSON with --json."))
    p.add_argument("scenario", metavar="SCENARIO_ID")
    p.add_argument("--replies", required=True, metavar="FILE", help="one trainee reply per line; - for stdin")
    p.add_argument("--seed", type=int, default=0, help="seed for the debtor's choices (default 0)")
    p.add_argument("--json", action="store_true", help="the run as JSON (see the contract)")
    add_path_option(p)
    p.set_defaults(func=run)


def read_replies(source: str) -> list[str]:
    """Each non-empty line of FILE (or stdin) is one trainee reply."""
    return [line.strip() for line in read_input_text(source).splitlines() if line.strip()]


def run(args: argparse.Namespace) -> int:
    from ..scenario import Catalog
    from ..session import Session

    scenario = Catalog.find(args.scenario, args.path)  # an unknown id fails before reading stdin
    replies = read_replies(args.replies)
    session = Session.replay(scenario, args.seed, replies, finish=True)
    unused = len(replies) - sum(1 for t in session.turns if t.turn > 0)
    if args.json:
        sys.stdout.write(json.dumps(session.to_dict(), ensure_ascii=False) + "\n")
    else:
        _transcript(session, unused)
    return 0


def _transcript(session, unused: int) -> None:  # type: ignore[no-untyped-def]
    from ..analyzer import get_pack

    names = get_pack(session.scenario.spec.lang).pack.red_line_names
    sc = session.scenario
    c = sc.case
    out = sys.stdout
    out.write(f"# {sc.spec.title}  ({sc.id}, persona {session.persona.id}, seed {session.seed})\n")
    out.write(f"# {c.debtor_name}{c.honorific} · {c.creditor} · {c.amount_text} · 逾期{c.overdue_days}天"
              f" · {c.clock} · 今日第{c.calls_today}次\n\n")
    for t in session.turns:
        if t.turn > 0:
            s = t.analysis.scores
            out.write(f"[{t.turn}] 催收员: {t.trainee}\n")
            out.write(f"      礼貌 {s['politeness']} · 清晰 {s['clarity']} · 方案 {s['solution']}"
                      f"   features: {', '.join(t.analysis.features) or '-'}\n")
            for r in t.analysis.red_lines:
                out.write(f"      !! 红线 {r.rule}({names.get(r.rule, r.rule)}): 「{r.evidence}」 {r.message}\n")
            for tip in t.analysis.feedback[:2]:
                out.write(f"      » {tip}\n")
        if t.debtor:
            out.write(f"[{t.turn}] 债务人: {t.debtor}\n")
        moves = [f for f in t.fired if f.kind != "reaction"]
        mood = " ".join(f"{k} {v}" for k, v in t.variables.items())
        if t.turn > 0:
            out.write(f"      ({t.previous_state} → {t.state}; {mood})\n")
        for f in moves:
            out.write(f"      → {f.reason or f.name}\n")
        out.write("\n")
    summary = session.summary()
    out.write(f"结果: {session.outcome}  (ended by {session.ended_by})\n")
    out.write(f"得分: 礼貌 {summary['politeness']} · 清晰 {summary['clarity']} · 方案 {summary['solution']}"
              f" · 总分 {summary['overall']}\n")
    for name, ok in summary["steps"].items():
        out.write(f"  {'✓' if ok else '✗'} {summary['step_labels'][name]}\n")
    if summary["red_lines"]:
        for r in summary["red_lines"]:
            out.write(f"  !! 第{r['turn']}轮 红线 {r['rule']}: 「{r['evidence']}」\n")
    out.write(f"{'通过' if summary['passed'] else '未通过'} (passed: {str(summary['passed']).lower()})\n")
    if unused:
        out.write(f"(通话已结束,剩余 {unused} 条回复未使用)\n")
