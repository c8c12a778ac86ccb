"""``collector-sim list``: the scenarios found (bundled, ./scenarios, --path DIR)."""

from __future__ import annotations

import argparse
import json
import sys

from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list the scenarios found", description=(
        "List scenarios: bundled ones, ./scenarios and any --path DIR. With --json, one object per "
        "scenario with id, title, persona, difficulty, lang and the case file."))
    p.add_argument("--json", action="store_true", help="JSON output, with the case file")
    add_path_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..scenario import Catalog

    cat = Catalog.discover(args.path)
    items = sorted(cat.scenarios.values(), key=lambda s: (s.spec.persona, s.spec.difficulty, s.id))
    for f in cat.findings:
        print(f"warning: {f} (skipped; see 'collector-sim validate')", file=sys.stderr)
    if args.json:
        out = [s.summary() for s in items]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not items:
        print("no scenarios found")
        return 0
    from ..i18n import address, money, t

    width = max(len(s.id) for s in items)
    pwidth = max([12] + [len(s.spec.persona) for s in items])
    for s in items:
        c = s.case
        stars = "★" * s.spec.difficulty + "☆" * max(0, 3 - s.spec.difficulty)
        lang = s.spec.lang
        print(f"{s.id:<{width}}  {s.spec.persona:<{pwidth}} {stars}  {s.spec.lang}  {s.spec.title}  "
              + t("run.list_case", lang, who=address(c, lang, full=True), amount=money(c.amount, lang),
                  days=c.overdue_days))
    return 0
