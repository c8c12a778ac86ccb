"""``collector-sim graph``: a scenario's persona state machine as Mermaid or Graphviz dot, with the
states that none of the scenario's test calls visits marked as untested."""

from __future__ import annotations

import argparse
import sys

from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("graph", help="draw a scenario's persona state machine", description=(
        "Print the persona's state machine for SCENARIO_ID as a Mermaid stateDiagram (default) or "
        "Graphviz dot. Edges carry the trigger and its conditions. The scenario's test calls are run, and "
        "states that no test visits are marked (Mermaid class 'untested', dashed orange; '⚠ 未测试')."))
    p.add_argument("scenario", metavar="SCENARIO_ID")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.add_argument("--coverage", action="store_true",
                   help="also print which test visits each state, and the transitions no test fires (on stderr)")
    p.add_argument("--no-tests", action="store_true", help="draw without running the tests (no coverage marks)")
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..graph import to_dot, to_mermaid
    from ..scenario import Catalog

    if args.no_tests:
        sc = Catalog.find(args.scenario, args.path)
        persona = sc.persona()
        untested, note = None, None
    else:
        from ..testcalls import coverage

        sc = Catalog.discover(args.path).get(args.scenario)
        persona = sc.persona()
        cov = coverage(sc)
        untested, note = cov.untested, cov.note()
        if args.coverage:
            _report(cov, persona)
    draw = to_mermaid if args.format == "mermaid" else to_dot
    sys.stdout.write(draw(persona, untested, note))
    return 0


def _report(cov, persona) -> None:  # type: ignore[no-untyped-def]
    err = sys.stderr
    err.write(cov.note() + "\n")
    width = max(len(s) for s in cov.states)
    for state, who in cov.states.items():
        mark = "✓" if who else "✗"
        err.write(f"  {mark} {state:<{width}}  {', '.join(who) if who else 'untested'}\n")
    missing = [t for t in persona.transitions if t.index in cov.untested_transitions]
    if missing:
        err.write("  transitions no test fires:\n")
        for t in missing:
            nonterminal = [n for n, s in persona.states.items() if not s.spec.terminal]
            src = "*" if sorted(t.sources) == sorted(nonterminal) else ",".join(t.sources)
            err.write(f"    - transitions[{t.index}] {t.trigger}: {src} → {t.dest}  [{t.label}]\n")
