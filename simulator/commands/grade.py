"""``collector-sim grade``: an exam without a UI, from one replies file per scenario.

With a signing key (``COLLECTOR_SIM_KEY``) the attempt is numbered, limited, stored and signed.
Without one, the calls are still scored and the verdict printed, but nothing is stored or
signed, and stderr says so: a practice result, not a certification. ``--practice`` asks for
that on purpose. Exit 0 passed, 1 failed, 2 usage or unreadable input (nothing stored then).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UserError
from ._certify import add_db_option, add_path_option, exam_for_attempt, store_errors
from ._common import check_replies, read_input_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade an exam from recorded replies (DIR/<scenario_id>.txt)",
                       description="Run every call of an exam from DIR/<scenario_id>.txt (one trainee reply a "
                                   "line), judge it, and store the signed attempt. Exit 0 passed, 1 failed. "
                                   "Without COLLECTOR_SIM_KEY (or with --practice) the result is printed but "
                                   "neither stored nor signed, and stderr says so: it is no certification.")
    p.add_argument("exam_id", metavar="EXAM_ID")
    p.add_argument("--replies", required=True, metavar="DIR", help="folder with <scenario_id>.txt per call")
    p.add_argument("--trainee", required=True, metavar="ID", help="the trainee's id")
    p.add_argument("--json", action="store_true", help="the contract's grade JSON")
    p.add_argument("--practice", action="store_true", help="score only: store and sign nothing, use no attempt")
    add_db_option(p)
    add_path_option(p)
    p.set_defaults(func=run)


def read_replies(folder: Path, scenario_ids: list[str]) -> dict[str, list[str]]:
    """Every call's replies, read before anything is stored (a bad file must not cost an attempt)."""
    if not folder.is_dir():
        raise UserError(f"--replies {folder}: not a directory")
    missing = [s for s in scenario_ids if not (folder / f"{s}.txt").is_file()]
    if missing:
        raise UserError(f"--replies {folder}: missing {', '.join(m + '.txt' for m in missing)} "
                        f"(one file per call: {', '.join(s + '.txt' for s in scenario_ids)})")
    out: dict[str, list[str]] = {}
    for sid in scenario_ids:
        path = folder / f"{sid}.txt"
        text = read_input_text(str(path))
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            raise UserError(f"{path}: no replies (one trainee reply a line)")
        out[sid] = check_replies(lines, str(path))
    return out


def run(args: argparse.Namespace) -> int:
    with store_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..certify.attempt import ExamRun
    from ..certify.signing import key_from_env

    key = None if args.practice else key_from_env()
    trainee, exam, engine, unofficial = exam_for_attempt(args, certify=key is not None)
    replies = read_replies(Path(args.replies), [c.scenario for c in exam.spec.calls])
    store = None
    if key is not None:  # only a stored attempt needs the database layer
        from ..certify.store import Store

        store = Store.open(args.db, key=key)
    try:
        run_ = ExamRun.begin(exam, trainee, engine=engine, store=store, key=key)
        with run_:
            for call in run_.pending():
                run_.play(call, replies[call.scenario])
            result = run_.finish()
    finally:
        if store is not None:
            store.close()
    if store is None:
        why = "--practice" if args.practice else "COLLECTOR_SIM_KEY is not set"
        print(f"warning: not stored or signed ({why}): a practice result, not a certification", file=sys.stderr)
    if unofficial:
        print("note: practice with unofficial definitions: " + "; ".join(unofficial), file=sys.stderr)
    if args.json:
        print(json.dumps(dict(result.to_dict(), official=not unofficial, unofficial=unofficial),
                         ensure_ascii=False, indent=2))
    else:
        print(render(result, exam, unofficial))
    return 0 if result.passed else 1


def render(result, exam, unofficial=()) -> str:  # type: ignore[no-untyped-def]
    """The text report, every word in the exam's language (``grade.*`` in the locale catalogs)."""
    from ..i18n import t

    lang = getattr(exam.spec, "lang", None) or "zh"

    def g(key: str, **fields: object) -> str:
        return t(f"grade.{key}", lang, **fields)

    lines = [g("head", title=exam.spec.title, id=exam.id, trainee=result.trainee)
             + (g("attempt", n=result.attempt, total=exam.spec.attempts) if result.attempt else g("practice"))
             + (g("unofficial") if unofficial else "")]
    for c in result.calls:
        s = c["summary"]
        red = t("format.list_sep", lang).join(g("red_at", rule=r["rule"], turn=r["turn"])
                                            for r in s.get("red_lines", [])) or t("format.none", lang)
        lines.append(f"  {c['scenario']:<36} {c['outcome']:<15} "
                     + g("call", politeness=f"{s['politeness']:>3}", clarity=f"{s['clarity']:>3}",
                         solution=f"{s['solution']:>3}", overall=f"{s['overall']:>3}", red=red))
    sc = result.verdict.scores
    lines.append("  " + g("means", politeness=f"{sc['politeness']:g}", clarity=f"{sc['clarity']:g}",
                          solution=f"{sc['solution']:g}", overall=f"{sc['overall']:g}"))
    lines.append(g("passed") if result.passed else g("failed"))
    for r in result.verdict.reasons:
        lines.append(f"  - {r}")
    if result.signature:
        lines.append(g("signature", sig=result.signature, store=result.store))
    return "\n".join(lines)
