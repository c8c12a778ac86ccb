"""``collector-sim exams``: the exams found, their calls and pass rules."""

from __future__ import annotations

import argparse
import json
import sys

from ._certify import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exams", help="list certification exams: calls, seeds, pass rules",
                       description="List the exams found (bundled, ./exams, --path DIR) and check them: "
                                   "problems are printed as path:line:col and exit 1.")
    p.add_argument("--json", action="store_true", help="a JSON list of exams")
    add_path_option(p)
    p.set_defaults(func=run)


def describe_rules(rules: dict) -> str:
    parts = [f"overall ≥ {rules['overall']}"]
    dims = rules.get("dimensions") or {}
    if dims:
        parts.append(", ".join(f"{k} ≥ {v}" for k, v in dims.items()))
    if rules.get("min_call_overall") is not None:
        parts.append(f"every call ≥ {rules['min_call_overall']}")
    if rules.get("min_successful_calls") is not None:
        parts.append(f"≥ {rules['min_successful_calls']} successful calls")
    parts.append("no red line")
    return "; ".join(parts)


def run(args: argparse.Namespace) -> int:
    from ..certify.exam import ExamCatalog
    from ..scenario import Catalog

    exams = ExamCatalog.discover(args.path)
    findings = exams.check(Catalog.discover(args.path))
    items = [exams.exams[k].summary() for k in sorted(exams.exams)]
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=2))
    else:
        if not items:
            print("no exams found (bundled, ./exams or --path DIR)")
        for e in items:
            limit = f", {e['time_limit_s']} s a call" if e.get("time_limit_s") else ""
            print(f"{e['id']}  {e['title']}  ({e['attempts']} attempts{limit})")
            print("  calls: " + ", ".join(f"{c['scenario']} (seed {c['seed']})" for c in e["calls"]))
            print("  pass:  " + describe_rules(e["pass"]))
    for f in findings:
        print(str(f), file=sys.stderr)
    return 1 if findings else 0
