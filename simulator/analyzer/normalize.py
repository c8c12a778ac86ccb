"""Normalisation: make the many ways of writing a word look the same, and remember offsets.

A reply is matched against the rule pack in its *normal form*: NFKC (full-width → half-width),
lower case, traditional → simplified characters, and — for Chinese — separators that were put
inside a word to dodge a filter removed ("骗 子", "骗*子", "n m s l"). Every character of the
normal form remembers the index of the original character it came from, so a finding's span
always points into the text the trainee actually wrote.
"""

from __future__ import annotations

import bisect
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
    # soft clause breaks: k in breaks means a space that stood between two words (not inside
    # one) was dropped just before normal-form character k ("系统在升级 您直接转我支付宝")
    breaks: tuple[int, ...] = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets for the normal-form span [start, end)."""
        if start >= end:
            pos = self.index[start] if start < len(self.index) else len(self.original)
            return pos, pos
        return self.index[start], self.index[end - 1] + 1


class Rewriter:
    """Many-for-many rewrites of the folded text (slang, pinyin initials, dialect words):
    ``zfb`` → ``支付宝``, ``屋企`` → ``家里``. A rewritten word's characters map back onto the
    original word's, so a span that starts or ends with it still quotes exactly what was written.
    A Latin key only matches a whole Latin word (``zfb`` but not ``zfbx``)."""

    def __init__(self, table: dict[str, str]):
        self.table = {k: v for k, v in table.items() if k}
        keys = sorted(self.table, key=len, reverse=True)
        latin = [re.escape(k) for k in keys if k.isascii() and k[0].isalnum()]
        other = [re.escape(k) for k in keys if not (k.isascii() and k[0].isalnum())]
        parts = []
        if latin:
            parts.append(r"(?<![a-z0-9])(?:" + "|".join(latin) + r")(?![a-z0-9])")
        if other:
            parts.append("|".join(other))
        self.regex = re.compile("|".join(parts)) if parts else None
        # a text with none of the keys' first characters is left as it is, without a search
        self._firsts = re.compile("[" + re.escape("".join(sorted({k[0] for k in keys}))) + "]") if keys else None

    def apply(self, text: str, index: list[int]) -> tuple[str, list[int]]:
        if self.regex is None or self._firsts is None or self._firsts.search(text) is None:
            return text, index
        out: list[str] = []
        idx: list[int] = []
        pos = 0
        for m in self.regex.finditer(text):
            a, b = m.span()
            out.append(text[pos:a])
            idx.extend(index[pos:a])
            to = self.table[m.group()]
            src = index[a:b]
            out.append(to)
            # first characters onto the first original characters, the last onto the last
            idx.extend(src[min(j, len(src) - 1)] for j in range(len(to) - 1))
            idx.append(src[-1])
            pos = b
        if pos == 0:
            return text, index
        out.append(text[pos:])
        idx.extend(index[pos:])
        return "".join(out), idx


def normalize(text: str, *, strip_separators: bool = True, simplify: bool = True,
              char_map: dict[int, str] | None = None, rewriter: Rewriter | None = None) -> Normalized:
    if strip_separators:
        norm = _stripped(text, simplify)
    else:
        norm = _slow(text, simplify)
    if rewriter is not None and rewriter.regex is not None:
        out, idx = rewriter.apply(norm.text, list(norm.index))
        if out is not norm.text:
            norm = Normalized(norm.original, out, tuple(idx), _moved_breaks(norm, idx))
    if char_map:
        norm = Normalized(norm.original, norm.text.translate(char_map), norm.index, norm.breaks)
    return norm


def _moved_breaks(norm: Normalized, idx: list[int]) -> tuple[int, ...]:
    """Soft breaks re-anchored after a rewrite changed lengths: before the first character that
    comes from the same original offset."""
    if not norm.breaks:
        return ()
    origin = [norm.index[k] for k in norm.breaks]
    return tuple(bisect.bisect_left(idx, o) for o in origin)


def _slow(text: str, simplify: bool) -> Normalized:
    """Fold character by character and collapse runs of white space (no separators dropped)."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in ZERO_WIDTH:
            continue
        folded = _fold_char(ch) if not ch.isascii() or ch.isupper() else ch
        for f in folded:
            if f.isspace():
                if chars and chars[-1] == " ":
                    continue
                f = " "
            chars.append(f)
            index.append(i)
    out = "".join(chars)
    if simplify:
        out = to_simplified(out)
    return Normalized(text, out, tuple(index))


_FOLD_CHUNK = 512


def _fold(text: str) -> tuple[str, list[int] | None]:
    """NFKC + lower case, with zero-width characters dropped. The index is None when every
    character folded to exactly one (the common case: offsets unchanged). Folding goes a chunk at
    a time, so one odd character ("…" → "...") costs its chunk, not the whole text."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) == len(text) and not _ZERO_WIDTH_RE.search(text):
        return folded, None
    parts: list[str] = []
    index: list[int] = []
    for lo in range(0, len(text), _FOLD_CHUNK):
        chunk = text[lo:lo + _FOLD_CHUNK]
        f = unicodedata.normalize("NFKC", chunk).lower()
        if len(f) == len(chunk) and not _ZERO_WIDTH_RE.search(chunk):
            parts.append(f)
            index.extend(range(lo, lo + len(chunk)))
            continue
        for i, ch in enumerate(chunk, lo):
            if ch in ZERO_WIDTH:
                continue
            fc = _fold_char(ch) if not ch.isascii() or ch.isupper() else ch
            parts.append(fc)
            index.extend([i] * len(fc))
    return "".join(parts), index


def _wordish(ch: str) -> bool:
    """A character of a word in a non-Latin script (a Han character, not punctuation)."""
    return bool(ch) and not ch.isascii() and ch.isalnum()


def _stripped(text: str, simplify: bool) -> Normalized:
    """Fold, then drop the separators put inside words, in C-speed steps: offsets only move where
    characters are dropped or a fold changed a length."""
    folded, findex = _fold(text)
    parts: list[str] = []
    index: list[int] = []
    breaks: list[int] = []
    size = len(folded)
    pos = 0
    out_len = 0
    for m in _SEP_RUN.finditer(folded):
        a, b = m.span()
        prev = folded[a - 1] if a > 0 else ""
        nxt = folded[b] if b < size else ""
        run = m.group()
        spaces = set(run) <= {" ", "\u3000", "\t"}
        drop = bool(prev and nxt) and (not (prev.isdigit() and nxt.isdigit()) or spaces)
        if not drop:
            continue
        parts.append(folded[pos:a])
        index.extend(range(pos, a))
        out_len += a - pos
        pos = b
        # a space between two words of two or more characters each is where a clause ended
        # ("系统在升级 您直接转我支付宝"); one between single characters was put inside a word ("骗 子")
        if spaces and _wordish(prev) and _wordish(nxt) and a >= 2 and b + 1 < size \
                and _wordish(folded[a - 2]) and _wordish(folded[b + 1]):
            breaks.append(out_len)
    parts.append(folded[pos:])
    index.extend(range(pos, size))
    out = "".join(parts)
    if findex is not None:
        index = [findex[k] for k in index]
    if simplify:
        out = to_simplified(out)
    return Normalized(text, out, tuple(index), tuple(breaks))
