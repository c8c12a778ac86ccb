"""Parts of AUTHORING.md generated from the tables the loader uses, so the guide cannot drift.

``python -m simulator.docgen`` rewrites the marked blocks of AUTHORING.md in place; a test checks
that the file as committed equals what this module renders. A block is delimited by
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def _row(name: str, args: tuple[str, ...], text: str) -> str:
    form = name + "".join(f":<{a}>" for a in args)
    zh, _, en = text.partition("·")
    zh, en = zh.strip(), en.strip()
    return f"| `{form}` | {zh} | {en or zh} |"


def conditions() -> str:
    from .persona import CONDITIONS

    rows = ["| condition | 意思 | meaning |", "|---|---|---|"]
    rows += [_row(name, args, text) for name, (args, text) in CONDITIONS.items()]
    rows.append("| `<id>` | 单独一个 id 等于 `has:<id>` | a bare id is short for `has:<id>` |")
    return "\n".join(rows)


def effects() -> str:
    from .persona import EFFECTS

    rows = ["| effect | 意思 | meaning |", "|---|---|---|"]
    rows += [_row(name, args, text) for name, (args, text) in EFFECTS.items()]
    return "\n".join(rows)


def ids() -> str:
    from . import persona

    def line(label: str, names: tuple[str, ...] | list[str]) -> str:
        return f"- {label}: " + ", ".join(f"`{n}`" for n in names)

    out = [line("features 特征", persona.FEATURE_IDS), line("red lines 红线", persona.RED_LINE_IDS),
           line("signals 信号 (analyzer)", persona.SIGNAL_IDS),
           line("derived by the session 会话推出", persona.SESSION_SIGNALS),
           line("facts for `done:` / `not_done:` 通话事实", persona.FACTS),
           line("case flags for `case:` 案件标志", persona.CASE_FLAGS),
           line("variables 情绪变量 (0–100)", persona.VARIABLES),
           line("placeholders in lines and hints 台词占位符", [f"{{{p}}}" for p in persona.PLACEHOLDERS])]
    return "\n".join(out)


BLOCKS = {"conditions": conditions, "effects": effects, "ids": ids}
_BLOCK = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def render(text: str) -> str:
    """``text`` with every generated block replaced by what the tables say now."""
    return _BLOCK.sub(lambda m: m.group(1) + BLOCKS[m.group(2)]() + "\n" + m.group(4), text)


def main(argv: list[str] | None = None) -> int:
    path = Path((argv or sys.argv[1:] or ["AUTHORING.md"])[0])
    old = path.read_text(encoding="utf-8")
    new = render(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
        print(f"updated {path}")
    else:
        print(f"{path} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
