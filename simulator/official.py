"""The official definitions a certification may be judged against.

Certification (``grade`` with a key, ``exam``) uses only the bundled exams, scenarios and personas,
or a set the training centre configures explicitly: ``COLLECTOR_SIM_OFFICIAL=DIR`` names a folder
with ``exams/``, ``scenarios/`` and ``personas/`` that adds to (and overrides) the bundled set.
Anything found in the working folder (``./exams``, ``./scenarios``, ``./personas``) or under
``--path`` is for practice only. The set used is written into every signed record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import UserError

OFFICIAL_ENV = "COLLECTOR_SIM_OFFICIAL"
KINDS = ("exams", "scenarios", "personas")


def official_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The centre's configured folder, or None (bundled definitions only). A value that is set
    but names no folder is an error, never silently the bundled set."""
    env = os.environ if environ is None else environ
    value = env.get(OFFICIAL_ENV, "")
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise UserError(f"${OFFICIAL_ENV} {value}: not a directory (it names the centre's official exams, "
                        "scenarios and personas)")
    return path.resolve()


def definitions_set(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """How a record names the definitions it was judged against."""
    d = official_dir(environ)
    return {"set": "bundled"} if d is None else {"set": "centre", "dir": str(d)}


def official_folders(environ: Mapping[str, str] | None = None) -> set[Path]:
    """Every folder whose files are official: the bundled ones and the centre's."""
    from .certify.exam import bundled_exams_dir
    from .scenario import bundled_root

    root = bundled_root()
    out = {bundled_exams_dir().resolve(), (root / "scenarios").resolve(), (root / "personas").resolve()}
    d = official_dir(environ)
    if d is not None:
        out |= {(d / k).resolve() for k in KINDS}
    return out


def is_official(path: str | Path, folders: set[Path] | None = None) -> bool:
    return Path(path).resolve().parent in (folders if folders is not None else official_folders())
