"""Text that comes from files and from people, made safe to show and to score.

Plain Python (no Textual). Scenario, persona, exam and rule-pack YAML can hold any Unicode a
double-quoted string can spell (``"\\e]0;title\\a"``), and a trainee's reply can be as long as a
paste. Everything the app and the command line show from those sources passes through here:

- ``plain`` removes control characters (C0 and C1 except tab and newline, DEL) and the bidi
  embedding, override and isolate marks, which can rename a terminal, move its cursor or reorder
  what a line appears to say. The YAML loader applies it to every string it reads.
- ``check_reply`` caps a trainee's reply at ``MAX_REPLY_CHARS`` where replies enter (the CLI
  commands, the TUI's input, ``grade``'s replies files), with an error that says so.
"""

from __future__ import annotations

import re

#: the longest reply a trainee may give in one turn (a phone call is spoken; 2,000 characters is
#: several minutes of talk)
MAX_REPLY_CHARS = 2000

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """``text`` without control characters (tab and newline are kept)."""
    return _CONTROLS.sub("", text)


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")


def reply_problem(text: str, max_chars: int = MAX_REPLY_CHARS) -> str | None:
    """Why ``text`` cannot be taken as a reply, or None."""
    if len(text) > max_chars:
        return f"a reply is at most {max_chars:,} characters; this one has {len(text):,}"
    bad = _SURROGATE.search(text)
    if bad is not None:
        return f"the reply holds a lone surrogate (U+{ord(bad.group()):04X}), which is not text"
    return None
