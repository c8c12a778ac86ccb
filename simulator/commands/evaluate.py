"""``collector-sim evaluate``: precision, recall and F1 of the analyzer on a labeled corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="precision/recall/F1 per red line and feature on a labeled corpus",
                       description="Score a labeled JSONL corpus and report precision, recall and F1 per id.")
    p.add_argument("corpus", nargs="?", default="tests/data/replies.jsonl", metavar="FILE",
                   help="labeled replies (default: tests/data/replies.jsonl)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--errors", action="store_true",
                   help="also list every reply that was judged wrongly, grouped by red line or feature and rule")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluation import evaluate, group_errors, read_corpus

    report = evaluate(read_corpus(Path(args.corpus)))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(report.render())
    if args.errors:
        for title, lines in group_errors(report.errors):
            print(f"\n{title} ({len(lines)})")
            for line in lines:
                print(f"    {line}")
    return 0
