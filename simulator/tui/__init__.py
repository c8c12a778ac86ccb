"""The trainee's terminal app (Textual): ``collector-sim play``.

``make_app`` builds it for the CLI, the tests and the benchmarks alike. The plain-Python parts
(session files, hints, the debrief as data, CJK line breaking) live in ``store``, ``coach``,
``report`` and ``wrap`` and import nothing from Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import CollectorSimApp


def make_app(*args: Any, **kwargs: Any) -> "CollectorSimApp":
    from .app import make_app as _make_app

    return _make_app(*args, **kwargs)


__all__ = ["make_app"]
