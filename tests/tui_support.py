"""Helpers for driving the Textual app in tests and bench: typing Chinese, reading the screen."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot

def FIXED_CLOCK() -> float:
    """The call timer shows 00:00 in tests and snapshots."""
    return 0.0


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` one key event per character, as a terminal delivers it.

    ``Pilot.press`` cannot type 。 or 、 (textual 8.2.8 looks their key names up with
    ``unicodedata.lookup("ideographic_full_stop")``, which fails, and drops the character), so the
    key events are built here with the character attached, exactly as the terminal driver does.
    """
    for ch in text:
        key = ch if ch.isalnum() else _character_to_key(ch)
        pilot.app.post_message(events.Key(key, ch))
    await pilot.pause()


async def say(pilot: Pilot, text: str) -> None:
    """Type a reply and press Enter."""
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """The visible screen as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def squash(text: str) -> str:
    """Screen text without spaces and box drawing, so wrapped lines can be searched."""
    keep = []
    for ch in text:
        if ch.isspace() or "\u2500" <= ch <= "\u259f" or ch in "▊▎▌▐":
            continue
        keep.append(ch)
    return "".join(keep)


def aio(fn):  # type: ignore[no-untyped-def]
    """Run an ``async def`` test without a pytest asyncio plugin (fixtures still injected)."""
    import asyncio
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        return asyncio.run(fn(*args, **kwargs))

    return wrapper
