"""Trainee ids: one canonical form, the one the store writes and every query looks up.

``Ｔ1``, ``T1`` and ``t1`` are one trainee (NFKC, case-folded); an id with invisible, direction or
control characters is refused rather than cleaned, so an id always looks like what it is.
"""

from __future__ import annotations

import unicodedata

from ..errors import UserError

#: categories refused in a trainee id: controls, format characters (zero-width, bidi controls, BOM),
#: surrogates, private use, unassigned, line and paragraph separators
_TRAINEE_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def check_trainee(trainee: str) -> str:
    """The canonical form of a trainee id, the one the store counts attempts under.

    NFKC (full-width ``Ｔ１`` is ``T1``), case-folded (``T1`` and ``t1`` are one trainee), runs of
    spaces made one; invisible and direction-changing characters (zero-width space, bidi controls,
    BOM), control characters and unassigned code points are refused, not dropped: an id must look
    like what it is. At most 200 characters."""
    raw = trainee or ""
    bad = sorted({ch for ch in raw if unicodedata.category(ch) in _TRAINEE_REFUSED})
    if bad:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5])
        raise UserError(f"--trainee: an id may not contain invisible, direction or control characters ({shown})")
    t = unicodedata.normalize("NFKC", raw)
    t = unicodedata.normalize("NFKC", t.casefold())
    t = " ".join(t.split())
    if not t:
        raise UserError("--trainee: give the trainee's id")
    if len(t) > 200:
        raise UserError("--trainee: an id is at most 200 characters")
    return t


def trainee_is_canonical(trainee: str) -> bool:
    try:
        return check_trainee(trainee) == trainee
    except UserError:
        return False
