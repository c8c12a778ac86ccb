"""Normalisation: make the many ways of writing a word look the same, and remember offsets.

A reply is matched against the rule pack in its *normal form*: NFKC (full-width → half-width),
lower case, traditional → simplified characters, and — for Chinese — separators that were put
inside a word to dodge a filter removed ("骗 子", "骗*子", "n m s l"). Every character of the
normal form remembers the index of the original character it came from, so a finding's span
always points into the text the trainee actually wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Characters dropped when they stand between two non-digit characters: filler that people put
# inside a word.  Clause punctuation and quotes are kept (negation scope and quotation need them).
SEPARATORS = frozenset(" \t\u3000*_-~·•^#@|/\\`+=")
# emoji and pictographs count as separators too ("骗😀子", "您😀说"); \ufe0f is the emoji variation selector
EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f"
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# a run of separators (a simple character class: linear time with the standard library)
_SEP_CLASS = "[" + re.escape("".join(sorted(SEPARATORS))) + EMOJI + "]"
_SEP_RUN = re.compile(_SEP_CLASS + "+")
_IS_SEP = re.compile(_SEP_CLASS)


def is_separator(ch: str) -> bool:
    return ch in SEPARATORS or _IS_SEP.match(ch) is not None
_ZERO_WIDTH_RE = re.compile("[" + "".join(sorted(ZERO_WIDTH)) + "]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: start-up of commands that never score stays quick

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower()


def to_simplified(text: str) -> str:
    """Traditional → simplified, keeping the length (one character for one character)."""
    if text.isascii():
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # a phrase conversion changed the length: fall back to character by character
    return "".join(c if len(c) == 1 else o for o, c in ((o, _t2s().convert(o)) for o in text))


@dataclass(frozen=True)
class Normalized:
    """The normal form of a text, with a map back to the original offsets."""

    original: str
    text: str
    index: tuple[int, ...]  # index[k] = offset in `original` of normal-form character k

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets for the normal-form span [start, end)."""
        if start >= end:
            pos = self.index[start] if start < len(self.index) else len(self.original)
            return pos, pos
        return self.index[start], self.index[end - 1] + 1


def normalize(text: str, *, strip_separators: bool = True, simplify: bool = True,
              char_map: dict[int, str] | None = None) -> Normalized:
    fast = _fast(text, strip_separators, simplify)
    if fast is None:
        fast = _slow(text, strip_separators, simplify)
    if char_map:
        fast = Normalized(fast.original, fast.text.translate(char_map), fast.index)
    return fast


def _slow(text: str, strip_separators: bool, simplify: bool) -> Normalized:
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in ZERO_WIDTH:
            continue
        folded = _fold_char(ch) if not ch.isascii() or ch.isupper() else ch
        for f in folded:
            chars.append(f)
            index.append(i)
    if strip_separators:
        chars, index = _strip_separators(chars, index)
    else:
        chars, index = _collapse_spaces(chars, index)
    out = "".join(chars)
    if simplify:
        out = to_simplified(out)
    return Normalized(text, out, tuple(index))


def _strip_separators(chars: list[str], index: list[int]) -> tuple[list[str], list[int]]:
    keep_c: list[str] = []
    keep_i: list[int] = []
    n = len(chars)
    k = 0
    while k < n:
        ch = chars[k]
        if is_separator(ch):
            j = k
            while j < n and is_separator(chars[j]):
                j += 1
            prev = keep_c[-1] if keep_c else ""
            nxt = chars[j] if j < n else ""
            # keep separators in numbers (2026-11-30, 3 000) and at the edges
            if prev and nxt and not (prev.isdigit() and nxt.isdigit()):
                k = j
                continue
            if prev.isdigit() and nxt.isdigit() and chars[k] in " \u3000":
                k = j  # "3 000" → "3000"
                continue
            keep_c.extend(chars[k:j])
            keep_i.extend(index[k:j])
            k = j
            continue
        keep_c.append(ch)
        keep_i.append(index[k])
        k += 1
    return keep_c, keep_i


def _collapse_spaces(chars: list[str], index: list[int]) -> tuple[list[str], list[int]]:
    keep_c: list[str] = []
    keep_i: list[int] = []
    for ch, i in zip(chars, index):
        if ch.isspace():
            if keep_c and keep_c[-1] == " ":
                continue
            ch = " "
        keep_c.append(ch)
        keep_i.append(i)
    return keep_c, keep_i


def _fast(text: str, strip_separators: bool, simplify: bool) -> Normalized | None:
    """The common case in C-speed steps: folding keeps the length, so offsets only move where
    separators are dropped. Returns None when the character-by-character path is needed."""
    if _ZERO_WIDTH_RE.search(text):
        return None
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text) or not strip_separators:
        return None
    parts: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _SEP_RUN.finditer(folded):
        a, b = m.span()
        prev = folded[a - 1] if a > 0 else ""
        nxt = folded[b] if b < len(folded) else ""
        drop = bool(prev and nxt) and (not (prev.isdigit() and nxt.isdigit()) or set(m.group()) <= {" ", "\u3000"})
        if drop:
            parts.append(folded[pos:a])
            index.extend(range(pos, a))
            pos = b
    parts.append(folded[pos:])
    index.extend(range(pos, len(folded)))
    out = "".join(parts)
    if simplify:
        out = to_simplified(out)
    return Normalized(text, out, tuple(index))
