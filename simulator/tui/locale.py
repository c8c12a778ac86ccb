"""Key bindings in the screen's language.

A ``Binding``'s description in this app is a catalog key under ``keys.`` (``"call.hint"`` →
``keys.call.hint`` in ``simulator/locales/<lang>.yaml``); one that is not (Textual's own "palette")
is left alone. ``localize_bindings`` gives a node
copies of its class's bindings with the descriptions in a language; a ``Localized`` screen does it
for itself when built, and asks the app to show the app-wide keys (quit, help) in its language
whenever it comes to the top.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..i18n import DEFAULT, t, value


def localize_bindings(node: Any, lang: str) -> None:
    """Replace ``node``'s bindings with copies whose descriptions are in ``lang``."""
    source = getattr(node, "_source_bindings", None)
    if source is None:       # the node's own bindings as built (the app adds the palette key at run time)
        source = node._source_bindings = node._bindings.copy()
    fresh = source.copy()
    for key, bindings in fresh.key_to_bindings.items():
        fresh.key_to_bindings[key] = [
            replace(b, description=t(f"keys.{b.description}", lang)) if value(f"keys.{b.description}", lang) else b
            for b in bindings]
    node._bindings = fresh


class Localized:
    """A screen (or modal) shown in one language (``self.lang``)."""

    lang: str = DEFAULT

    def localize(self, lang: str) -> None:
        self.lang = lang
        localize_bindings(self, lang)

    def on_screen_resume(self) -> None:
        use_lang = getattr(self.app, "use_lang", None)  # type: ignore[attr-defined]
        if use_lang is not None:
            use_lang(self.lang)
