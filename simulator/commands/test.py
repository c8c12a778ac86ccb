"""``collector-sim test``: run the test calls scenarios carry, and report like a test runner."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run the test calls that scenarios carry", description=(
        "Run the test calls of scenarios: a scenario's own tests: and the <id>.tests.yaml files beside it. "
        "PATH may be a scenario file, a tests file or a folder; no PATH runs every scenario found "
        "(bundled, ./scenarios, --path DIR). A failing test shows the turn where the call diverged, "
        "expected against got. Exit 0 when every test passes, 1 when any fails."))
    p.add_argument("paths", nargs="*", metavar="PATH", help="scenario or tests files, or folders")
    p.add_argument("-k", dest="keyword", metavar="TEXT", help="only tests whose 'scenario::name' contains TEXT")
    p.add_argument("-v", "--verbose", action="store_true", help="show the whole call for every test, not only failures")
    p.add_argument("--json", action="store_true", help="one JSON object with every result")
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import LoadError
    from ..scenario import collect_tests
    from ..testcalls import run_all

    started = time.perf_counter()
    items, findings, _ = collect_tests(args.paths, args.path)
    for f in findings:
        print(f"error: {f}", file=sys.stderr)
    if args.paths and not items and findings:
        raise LoadError([])  # every file given was unreadable: the findings above say why (exit 2)
    runnable = []
    for sc, tests in items:
        persona, problems = sc.check_persona()
        if persona is None or problems:
            for f in problems:
                print(f"error: {f}", file=sys.stderr)
            findings += problems or [sc.doc.at(("persona",), "persona could not be loaded")]
            continue
        broken = sc.check_tests(persona)
        if broken:
            for f in broken:
                print(f"error: {f}", file=sys.stderr)
            findings += broken
        runnable.append((sc, tests))
    results = run_all(runnable, args.keyword)
    elapsed = time.perf_counter() - started
    untested = [sc.id for sc, tests in runnable if not tests]
    failed = [r for r in results if not r.ok]
    if args.json:
        sys.stdout.write(json.dumps({
            "passed": len(results) - len(failed), "failed": len(failed), "untested_scenarios": untested,
            "errors": [str(f) for f in findings], "results": [r.to_dict() for r in results],
        }, ensure_ascii=False, indent=2) + "\n")
    else:
        _report(results, untested, args.verbose, args.keyword)
        scenarios = len({r.scenario.id for r in results})
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed"
              f" ({len(results)} test calls in {scenarios} scenario(s), {elapsed:.1f}s)")
    if failed or findings:
        return 1
    return 0


def _report(results, untested: list[str], verbose: bool, keyword: str | None) -> None:  # type: ignore[no-untyped-def]
    out = sys.stdout
    current = None
    for r in results:
        where = f"{_show(r.bound.path)}:{r.bound.line}"
        if r.bound.path != current:
            current = r.bound.path
            out.write(f"{_show(current)}\n")
        s = r.session
        if r.ok:
            out.write(f"  PASS {r.name}  ({_turns(r)} → {s.outcome})\n")
            if verbose:
                _transcript(r, None)
            continue
        out.write(f"  FAIL {r.name}  ({where})\n")
        for p in r.problems:
            out.write(f"       {p}\n")
        _transcript(r, None if verbose else r.diverged_at)
    if untested and not keyword:
        out.write(f"no test calls: {', '.join(untested)} (add tests: to the scenario, see AUTHORING.md)\n")


def _turns(r) -> str:  # type: ignore[no-untyped-def]
    said = sum(1 for t in r.session.turns if t.turn > 0)
    unused = r.unused_replies()
    return f"{said} repl{'y' if said == 1 else 'ies'}" + (f", {unused} unused: the call had ended" if unused else "")


def _show(path: str) -> str:
    """A path relative to the working folder when it is inside it (bundled files stay absolute)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _transcript(r, focus: int | None) -> None:  # type: ignore[no-untyped-def]
    """The call turn by turn; with ``focus`` only the turn before it, that turn and the end."""
    from ..i18n import t as _t
    from ..testcalls import path_with_turns

    out = sys.stdout
    s = r.session
    lang = s.scenario.spec.lang
    turns = [t for t in s.turns if t.turn > 0]
    if focus is not None:
        keep = {focus - 1, focus}
        turns = [t for t in turns if t.turn in keep]
    for t in turns:
        out.write("       " + _t("run.collector", lang, turn=t.turn, text=t.trainee) + "\n")
        who = s.scenario.case.answerer.relation
        if t.handover:
            out.write("           " + _t("run.third_party_only", lang, who=who, text=t.handover) + "\n")
        if t.debtor:
            key = "run.third_party_only" if t.speaker == "third_party" else "run.debtor_only"
            out.write("           " + _t(key, lang, who=who, text=t.debtor) + "\n")
        moved = [f for f in t.fired if f.kind in ("transition", "engine")]
        why = "; ".join((f"{f.name} ({' & '.join(f.because)})" if f.kind == "transition" else f.reason or f.name)
                        for f in moved)
        mood = " ".join(f"{k} {v}" for k, v in t.variables.items())
        out.write(f"           state: {t.previous_state} → {t.state}" + (f"  via {why}" if why else "")
                  + f"  [{mood}]\n")
        for x in t.red_lines:
            out.write(f"           !! red line {x.rule}: 「{x.evidence}」\n")
    steps = " → ".join(f"{p['state']}" + (f"@{p['turn']}" if p["turn"] else "") for p in path_with_turns(s))
    out.write(f"       path: {steps}; outcome {s.outcome} (ended by {s.ended_by})\n")
