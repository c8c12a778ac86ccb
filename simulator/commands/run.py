"""``collector-sim run``: a whole call without the UI, one trainee reply per non-empty line."""

from __future__ import annotations

import argparse
import json
import sys

from ..text import plain
from ._common import add_path_option, check_replies, read_input_text


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
    """Each non-empty line of FILE (or stdin) is one trainee reply, within the reply cap."""
    replies = [line.strip() for line in read_input_text(source).splitlines() if line.strip()]
    return check_replies(replies, "stdin" if source == "-" else source)


def run(args: argparse.Namespace) -> int:
    from ..scenario import Catalog
    from ..session import Session

    scenario = Catalog.find(args.scenario, args.path)  # an unknown id fails before reading stdin
    replies = read_replies(args.replies)
    session = Session.replay(scenario, args.seed, replies, finish=True)
    unused = len(replies) - sum(1 for t in session.turns if t.turn > 0)
    if args.json:
        data = session.to_dict()
        data["summary"]["unsaid"] = unused  # replies left after the debtor ended the call
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        _transcript(session, unused)
    return 0


def _transcript(session, unused: int) -> None:  # type: ignore[no-untyped-def]
    """The readable transcript, in the scenario's language (locale ``run.*``)."""
    from ..analyzer import get_pack
    from ..i18n import address, money, t

    sc = session.scenario
    lang = sc.spec.lang
    names = get_pack(lang).pack.red_line_names
    c = sc.case
    out = sys.stdout

    def r(key: str, **fields: object) -> str:
        return t(f"run.{key}", lang, **fields)

    out.write(r("header", title=sc.spec.title, id=sc.id, persona=session.persona.id, seed=session.seed) + "\n")
    out.write(r("case", who=address(c, lang, full=True), creditor=c.creditor, amount=money(c.amount, lang),
                days=c.overdue_days, clock=c.clock, n=c.calls_today) + "\n\n")
    a = c.answerer
    third = (t("call.third_party", lang, relation=a.relation, name=a.name) if a.name
             else t("call.third_party_unnamed", lang, relation=a.relation))
    for turn in session.turns:
        if turn.turn > 0:
            s = turn.analysis.scores
            out.write(r("collector", turn=turn.turn, text=plain(turn.trainee)) + "\n")   # shown, not obeyed
            out.write(r("scores", **s, features=", ".join(turn.analysis.features) or "-") + "\n")
            for red in turn.analysis.red_lines:
                out.write(r("red_line", rule=red.rule, name=names.get(red.rule, red.rule), evidence=plain(red.evidence),
                            message=red.message) + "\n")
            for tip in turn.analysis.feedback[:2]:
                out.write(f"      » {tip}\n")
        if turn.handover:  # a hand-over call: the third party's last words, then the debtor's
            out.write(r("third_party", turn=turn.turn, who=third, text=turn.handover) + "\n")
        if turn.debtor and turn.speaker == "third_party":
            out.write(r("third_party", turn=turn.turn, who=third, text=turn.debtor) + "\n")
        elif turn.debtor:
            out.write(r("debtor", turn=turn.turn, text=turn.debtor) + "\n")
        moves = [f for f in turn.fired if f.kind != "reaction"]
        mood = " ".join(f"{k} {v}" for k, v in turn.variables.items())
        if turn.turn > 0:
            out.write(f"      ({turn.previous_state} → {turn.state}; {mood})\n")
        for f in moves:
            out.write(f"      → {f.reason or f.name}\n")
        out.write("\n")
    summary = session.summary()
    out.write(r("outcome", outcome=session.outcome, ended_by=session.ended_by) + "\n")
    out.write(r("summary", **{k: summary[k] for k in ("politeness", "clarity", "solution", "overall")}) + "\n")
    if (summary.get("commitment") or {}).get("agreed"):
        c_ = summary["commitment"]
        none = t("format.none", lang)
        out.write(t("debrief.commitment", lang, deadline=c_.get("deadline") or none, amount=c_.get("amount_text") or none,
                    confirmed=t("debrief.confirmed" if c_.get("confirmed") else "debrief.not_confirmed", lang)) + "\n")
    for name, ok in summary["steps"].items():
        out.write(f"  {'✓' if ok else '✗'} {summary['step_labels'][name]}\n")
    if summary["red_lines"]:
        for red in summary["red_lines"]:
            out.write(r("summary_red_line", turn=red["turn"], rule=red["rule"], evidence=plain(red["evidence"])) + "\n")
    if not summary["replies"]:         # nothing said: nothing passed either
        out.write(r("no_reply") + "\n")
    else:
        verdict = t("debrief.passed" if summary["passed"] else "debrief.not_passed", lang)
        out.write(r("verdict", verdict=verdict, passed=str(summary["passed"]).lower()) + "\n")
    if unused:
        out.write(r("unused", n=unused) + "\n")
