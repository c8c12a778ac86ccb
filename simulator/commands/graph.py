"""``collector-sim graph``: a scenario's persona state machine as Mermaid or Graphviz dot."""

from __future__ import annotations

import argparse
import sys

from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("graph", help="draw a scenario's persona state machine", description=(
        "Print the persona's state machine for SCENARIO_ID as a Mermaid stateDiagram (default) or "
        "Graphviz dot. Edges carry the trigger and its conditions."))
    p.add_argument("scenario", metavar="SCENARIO_ID")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..graph import to_dot, to_mermaid
    from ..scenario import Catalog

    sc = Catalog.find(args.scenario, args.path)
    persona = sc.persona()
    text = to_mermaid(persona) if args.format == "mermaid" else to_dot(persona)
    sys.stdout.write(text)
    return 0
