"""What screens ask of the app. Screens post these; the app handles them with ``@on`` (messages
up, attributes down): no screen calls the app's navigation methods itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class OpenCase(Message):
    """Show a scenario's case file (the picker's choice)."""
    scenario_id: str
    seed: int | None = None
    meta: dict[str, Any] | None = None


@dataclass
class StartCall(Message):
    """Dial: the case file's start, or the debrief's retry (same scenario and seed)."""
    scenario: Any
    seed: int
    meta: dict[str, Any] | None = field(default=None)


@dataclass
class ShowPicker(Message):
    """Back to the scenario list, its filter cleared."""


@dataclass
class CallEnded(Message):
    """A call has ended: the app records it (certification), then the call's file is closed."""
    screen: Any


@dataclass
class ShowDebrief(Message):
    """Show the debrief of the call on ``screen``."""
    screen: Any


@dataclass
class NextCall(Message):
    """An exam's next call."""


@dataclass
class ShowVerdict(Message):
    """The exam's verdict (after its last call)."""


@dataclass
class ToggleExam(Message):
    """Practice ↔ exam for the next call; the app tells ``screen`` (``mode_changed``) once switched."""
    screen: Any


@dataclass
class OfferResume(Message):
    """Offer to resume the newest unfinished call; ``quiet``: say nothing if there is none."""
    quiet: bool = False
