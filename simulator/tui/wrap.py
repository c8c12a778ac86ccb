"""Line breaking for mixed Chinese and Latin text in a terminal.

Textual wraps at spaces and folds anything longer than a line, so a Chinese sentence (no spaces)
after a Latin word jumps whole to the next line, and a full-width comma can start a line. Here
every CJK character is a break opportunity, Latin words stay whole, widths are counted in cells
(CJK characters take two), and the common 禁则 (kinsoku) rules hold: no line starts with closing
punctuation (,。!?」…) and none ends with opening punctuation (「《“(…).
"""

from __future__ import annotations

import re

from rich.cells import cell_len

# closing punctuation that may not start a line
NO_START = set(",。、;:!?)」』】》〉”’…—%,.;:!?)]}·~~")
# opening punctuation that may not end a line
NO_END = set("(「『【《〈“‘([{")

# a unit never broken: a number with thousands separators ($4,280), a Latin word ($300 included)
_TOKEN = re.compile(r"\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[A-Za-z0-9_@#%&+\-./:'’$§]+|\s+|.", re.S)


def _units(text: str) -> list[str]:
    return _TOKEN.findall(text)


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """(start, end) character offsets of each line of ``text`` wrapped to ``width`` cells.

    Explicit newlines are kept; spaces at a break are dropped from both lines.
    """
    width = max(2, width)
    out: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        out += _wrap_para(para, pos, width)
        pos += len(para) + 1
    return out


def _wrap_para(text: str, base: int, width: int) -> list[tuple[int, int]]:
    if not text:
        return [(base, base)]
    units: list[tuple[int, int, int]] = []  # (start, end, cells)
    i = 0
    for u in _units(text):
        units.append((i, i + len(u), cell_len(u)))
        i += len(u)
    # fold Latin words longer than a line into pieces
    split: list[tuple[int, int, int]] = []
    for s, e, w in units:
        if w <= width or text[s].isspace():
            split.append((s, e, w))
            continue
        j = s
        while j < e:
            k, cw = j, 0
            while k < e and cw + cell_len(text[k]) <= width:
                cw += cell_len(text[k])
                k += 1
            k = max(k, j + 1)
            split.append((j, k, cell_len(text[j:k])))
            j = k
    units = split

    lines: list[tuple[int, int]] = []
    line: list[tuple[int, int, int]] = []
    used = 0
    for unit in units:
        s, e, w = unit
        space = text[s].isspace()
        if used + w <= width or (space and line):
            if space and used + w > width:
                # a space at the break: end the line here, drop the space
                lines.append(_span(line))
                line, used = [], 0
                continue
            line.append(unit)
            used += w
            continue
        # the unit does not fit: break before it, obeying the kinsoku rules
        carry: list[tuple[int, int, int]] = []
        if text[s] in NO_START and len(line) > 1:
            # take the last character along, with any closing punctuation before it ("来……")
            while len(line) > 1 and text[line[-1][0]] in NO_START:
                carry.insert(0, line.pop())
            if len(line) > 1:
                carry.insert(0, line.pop())
        while len(line) > 1 and text[line[-1][0]] in NO_END:
            carry.insert(0, line.pop())          # do not leave an opening bracket at the end
        while line and text[line[-1][0]].isspace():
            line.pop()
        if line:
            lines.append(_span(line))
        line = [u for u in carry] + ([] if space else [unit])
        used = sum(u[2] for u in line)
        if used > width:                          # the carried unit cannot fit: give up on kinsoku
            if line[:-1]:
                lines.append(_span(line[:-1]))
            line = line[-1:]
            used = line[0][2]
    while line and text[line[-1][0]].isspace():
        line.pop()
    if line:
        lines.append(_span(line))
    if not lines:
        lines.append((0, 0))
    return [(base + s, base + e) for s, e in lines]


def _span(line: list[tuple[int, int, int]]) -> tuple[int, int]:
    if not line:
        return (0, 0)
    return (line[0][0], line[-1][1])


def wrap(text: str, width: int) -> list[str]:
    return [text[s:e] for s, e in wrap_offsets(text, width)]


def cells(text: str) -> int:
    return cell_len(text)
