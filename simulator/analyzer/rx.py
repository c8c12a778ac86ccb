"""RE2 on UTF-8 bytes, spans only: the analyzer's one way of running a pattern.

The ``re2`` module's ``str`` API re-encodes the text and re-maps byte offsets to characters on
every call; a reply is checked by some twenty patterns, so that bookkeeping cost more than the
matching. Here a reply is encoded once (``Encoded``) and each pattern runs on the bytes through
RE2's own ``Match``; offsets are mapped back to characters with one table per reply.

A search over ``lo:hi`` runs on that slice of the text, exactly as ``pattern.search(s[lo:hi])``
would: ``^``, ``$`` and ``\\b`` see the slice's edges, and the spans come back in the
characters of the whole reply.
"""

from __future__ import annotations

from itertools import compress
from typing import Iterator

import re2

_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED
_ANCHOR_START = re2._re2.RE2.Anchor.ANCHOR_START

_LEAD_BYTES = bytes(0 if 0x80 <= b < 0xC0 else 1 for b in range(256))

OPTIONS = re2.Options()
OPTIONS.log_errors = False
# RE2 gives each pattern a memory budget for its lazily built DFA; past it, matching falls back to
# a much slower NFA. A rule joins all its patterns into one, so a big rule needs more than the
# default 8 MB (privacy_exposure.tell_others went from 1.4 µs to 70 µs a match). Memory is only
# used as states are met; the bench shows the peak.
OPTIONS.max_mem = 32 << 20


class Regex:
    """A compiled RE2 pattern (linear-time; look-arounds and back-references are refused)."""

    __slots__ = ("pattern", "size", "_match")

    def __init__(self, pattern: str):
        compiled = re2.compile(pattern.encode(), options=OPTIONS)  # raises re2.error
        self.pattern = pattern
        self.size = compiled._regexp.ProgramSize()  # instructions: what the DFA's states are made of
        self._match = compiled._regexp.Match

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r})"


class Encoded:
    """A text encoded once, with the character ↔ byte offset tables its searches need."""

    __slots__ = ("text", "data", "_c2b", "_b2c")

    def __init__(self, text: str):
        self.text = text
        self.data = text.encode()
        if len(self.data) == len(text):  # ASCII: offsets are the same
            self._c2b = self._b2c = None
            return
        # a character starts at every byte that is not a UTF-8 continuation byte (10xxxxxx)
        c2b = list(compress(range(len(self.data)), self.data.translate(_LEAD_BYTES)))
        c2b.append(len(self.data))
        self._c2b = c2b
        self._b2c = dict(zip(c2b, range(len(c2b))))

    def _slice(self, lo: int, hi: int | None) -> tuple[bytes, int]:
        if hi is None and lo <= 0:
            return self.data, 0
        size = len(self.text)
        hi = size if hi is None else max(0, min(hi, size))
        lo = max(0, min(lo, hi))
        c2b = self._c2b
        if c2b is None:
            return (self.data if lo == 0 and hi == size else self.data[lo:hi]), lo
        if lo == 0 and hi == size:
            return self.data, 0
        return self.data[c2b[lo]:c2b[hi]], c2b[lo]

    def finditer(self, regex: Regex, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, int]]:
        """Non-overlapping match spans in ``text[lo:hi]``, as character offsets of the whole text."""
        data, base = self._slice(lo, hi)
        end = len(data)
        pos = 0
        match = regex._match
        b2c = self._b2c
        while True:
            a, b = match(_UNANCHORED, data, pos, end)[0]
            if a < 0:
                return
            yield (a + base, b + base) if b2c is None else (b2c[a + base], b2c[b + base])
            if b == pos:  # empty match: step over one character
                if pos >= end:
                    return
                pos += 1
                while pos < end and (data[pos] & 0xC0) == 0x80:
                    pos += 1
            else:
                pos = b

    def search(self, regex: Regex, lo: int = 0, hi: int | None = None) -> tuple[int, int] | None:
        """The first match span in ``text[lo:hi]``, or None."""
        return self._first(regex, _UNANCHORED, lo, hi)

    def match(self, regex: Regex, lo: int = 0, hi: int | None = None) -> tuple[int, int] | None:
        """A match starting exactly at ``lo`` (within ``text[lo:hi]``), or None."""
        return self._first(regex, _ANCHOR_START, lo, hi)

    def _first(self, regex: Regex, anchor: object, lo: int, hi: int | None) -> tuple[int, int] | None:
        data, base = self._slice(lo, hi)
        a, b = regex._match(anchor, data, 0, len(data))[0]
        if a < 0:
            return None
        b2c = self._b2c
        return (a + base, b + base) if b2c is None else (b2c[a + base], b2c[b + base])
