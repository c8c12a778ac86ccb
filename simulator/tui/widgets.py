"""Reusable widgets: CJK-wrapped text, the chat transcript, score bars, mood gauges.

Widgets only show what they are given ("attributes down"); screens own the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.message import Message
from textual.widgets import Input, Label, ProgressBar

from .wrap import wrap_offsets



class Prose(Widget):
    """Text (markup or ``Content``) wrapped the Chinese way (see ``wrap.py``), height to fit.

    Textual breaks lines only at spaces, so "» 做得好:……" leaves the "»" alone on a line and a
    full-width comma can start one; Prose breaks between CJK characters and keeps 禁则.
    """

    DEFAULT_CSS = """
    Prose { height: auto; width: 1fr; }
    """

    def __init__(self, content: str | Content = "", *, markup: bool = True, id: str | None = None,
                 classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._markup = markup
        self._content = self._to_content(content)
        self._cache: tuple[int, list[tuple[int, int]]] | None = None

    def _to_content(self, content: str | Content) -> Content:
        if isinstance(content, Content):
            return content
        return Content.from_markup(content) if self._markup else Content(content)

    @property
    def content(self) -> Content:
        return self._content

    @property
    def plain(self) -> str:
        return self._content.plain

    def update(self, content: str | Content = "") -> None:
        self._content = self._to_content(content)
        self._cache = None
        self.refresh(layout=True)

    def _offsets(self, width: int) -> list[tuple[int, int]]:
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, wrap_offsets(self._content.plain, width))
        return self._cache[1]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        longest = max(cell_len(line) for line in self._content.plain.split("\n"))
        return min(longest, max(1, container.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not width or not self._content.plain:
            return 0
        return len(self._offsets(width))

    def render(self) -> Content:
        width = max(2, self.content_size.width)
        content = self._content
        return Content("\n").join([content[s:e] for s, e in self._offsets(width)])


@dataclass
class ChatLine:
    """One entry of the transcript: an utterance (side ``debtor`` or ``trainee``) or a note."""

    speaker: str
    text: str
    side: str                                   # "debtor" | "trainee" | "note"
    highlights: list[tuple[int, int]] = field(default_factory=list)
    kind: str = ""                              # notes: "" | "good" | "bad"


class Transcript(ScrollView, can_focus=False):
    """The call as a chat: the other party on the left, the trainee on the right.

    A line-API widget (like ``Log``): it keeps the messages and their wrapped lines and paints only
    the rows in view, so a turn costs the same at turn 50 as at turn 1 (one widget per message
    made every turn re-lay out the whole transcript: 130 ms at turn 40). Wrapping is the Chinese
    way (``wrap.py``); a new line scrolls into view.
    """

    COMPONENT_CLASSES = {
        "transcript--debtor", "transcript--debtor-edge", "transcript--trainee", "transcript--trainee-edge",
        "transcript--speaker", "transcript--note", "transcript--note-good", "transcript--note-bad",
        "transcript--highlight",
    }
    DEFAULT_CSS = """
    Transcript { height: 1fr; overflow-x: hidden; overflow-y: scroll; }
    Transcript > .transcript--debtor { background: $boost; }
    Transcript > .transcript--debtor-edge { color: $secondary; background: $boost; }
    Transcript > .transcript--trainee { background: $primary 15%; }
    Transcript > .transcript--trainee-edge { color: $primary; background: $primary 15%; }
    Transcript > .transcript--speaker { color: $text-muted; text-style: bold; }
    Transcript > .transcript--note { color: $text-muted; text-style: italic; }
    Transcript > .transcript--note-good { color: $text-success; text-style: bold; }
    Transcript > .transcript--note-bad { color: $text-warning; text-style: bold; }
    Transcript > .transcript--highlight { color: $text-error; background: $error-muted; text-style: bold; }
    """
    BUBBLE_SHARE = 0.85

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.messages: list[ChatLine] = []
        self._strips: list[Strip] = []
        self._width = 0

    # -- content ---------------------------------------------------------------------------------
    def add(self, speaker: str, text: str, side: str, highlights: Sequence[tuple[int, int]] = ()) -> ChatLine:
        return self._append(ChatLine(speaker, text, side, list(highlights)))

    def note(self, text: str, kind: str = "") -> ChatLine:
        return self._append(ChatLine("", text, "note", kind=kind))

    def set_highlights(self, message: ChatLine, spans: Sequence[tuple[int, int]]) -> None:
        message.highlights = list(spans)
        self._rebuild()

    def _append(self, message: ChatLine) -> ChatLine:
        self.messages.append(message)
        if self._width:
            if len(self.messages) > 1:
                self._strips.append(self._blank())
            self._strips.extend(self._render_message(message, self._width))
            self._update_size()
        return message

    # -- rendering -------------------------------------------------------------------------------
    def _content_width(self) -> int:
        return max(0, self.scrollable_content_region.width)

    def _rebuild(self) -> None:
        self._width = self._content_width()
        self._strips = []
        if self._width:
            for i, m in enumerate(self.messages):
                if i:
                    self._strips.append(self._blank())
                self._strips.extend(self._render_message(m, self._width))
        self._update_size()

    def _update_size(self) -> None:
        self.virtual_size = Size(self._width, len(self._strips))
        self.refresh()
        # now (the scrollbar may not be "shown" yet, hence force) and again once laid out
        self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        self.scroll_end(animate=False, x_axis=False)

    def on_resize(self) -> None:
        if self._content_width() != self._width:
            self._rebuild()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.is_mounted:
            self._rebuild()          # the theme changed: colours are baked into the strips

    def _style(self, name: str) -> Any:
        return self.get_visual_style(name)

    def _blank(self) -> Strip:
        return Strip.blank(self._width, self.rich_style)

    def _strip(self, content: Content, base: Any) -> Strip:
        return Strip([Segment(text, style.rich_style if style else None)
                      for text, style in content.render(base, end="")])

    def _render_message(self, m: ChatLine, width: int) -> list[Strip]:
        base = self.get_visual_style()
        if m.side == "note":
            style = self._style({"good": "transcript--note-good", "bad": "transcript--note-bad"}.get(
                m.kind, "transcript--note"))
            out = []
            for s, e in wrap_offsets(m.text, width):
                line = m.text[s:e]
                pad = max(0, (width - cell_len(line)) // 2)
                out.append(self._strip(Content.assemble(" " * pad, Content.styled(line, style)), base)
                           .extend_cell_length(width, self.rich_style))
            return out
        trainee = m.side == "trainee"
        fill = self._style("transcript--trainee" if trainee else "transcript--debtor")
        edge = self._style("transcript--trainee-edge" if trainee else "transcript--debtor-edge")
        text_max = max(4, int(width * self.BUBBLE_SHARE) - 3)
        natural = max([cell_len(m.speaker)] + [cell_len(x) for x in m.text.split("\n")])
        text_w = min(natural, text_max)
        body = Content(m.text)
        hl = self._style("transcript--highlight")
        for start, end in m.highlights:
            body = body.stylize(hl, start, end)
        lines = [Content.styled(m.speaker, self._style("transcript--speaker"))]
        lines += [body[s:e] for s, e in wrap_offsets(m.text, text_w)]
        out = []
        indent = width - (text_w + 3) if trainee else 0
        for line in lines:
            padded = Content.assemble(" ", line, " " * (text_w - line.cell_length), " ")
            row = Content.assemble(" " * indent, padded.stylize_before(fill), Content.styled("▐", edge)) if trainee \
                else Content.assemble(Content.styled("▌", edge), padded.stylize_before(fill))
            out.append(self._strip(row, base).extend_cell_length(width, self.rich_style))
        return out

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        return self._strips[index].crop_extend(scroll_x, scroll_x + width, self.rich_style).apply_offsets(
            scroll_x, index)

    # -- for tests and the debrief ---------------------------------------------------------------
    @property
    def lines_text(self) -> list[str]:
        return [strip.text for strip in self._strips]


def score_style(value: int) -> str:
    if value >= 70:
        return "$text-success"
    if value >= 50:
        return "$text-warning"
    return "$text-error"


class ScoreBar(Widget):
    """``礼貌 ██████░░░░  80``: a label, a bar filling the width, the number."""

    DEFAULT_CSS = """
    ScoreBar { height: 1; width: 1fr; }
    """
    value: reactive[int | None] = reactive(None)

    def __init__(self, label: str, value: int | None = None, *, id: str | None = None, classes: str | None = None,
                 label_width: int | None = None):
        super().__init__(id=id, classes=classes)
        # pad the label so the bars of a group line up (Politeness / Clarity; 礼貌 / 清晰 need none)
        self.label = label + " " * max(0, (label_width or 0) - cell_len(label))
        self.set_reactive(ScoreBar.value, value)

    def render(self) -> Content:
        width = self.content_size.width
        label = Content.styled(self.label, "bold")
        if self.value is None:
            return Content.assemble(label, " ", Content.styled("—", "$text-muted"))
        num = f"{self.value:>3}"
        bar_w = max(1, width - cell_len(self.label) - 5)
        full = round(bar_w * max(0, min(100, self.value)) / 100)
        style = score_style(self.value)
        return Content.assemble(label, " ", Content.styled("█" * full, style),
                                Content.styled("░" * (bar_w - full), "$text-muted"), " ",
                                Content.styled(num, f"bold {style}"))


class Gauge(Horizontal):
    """A mood variable as a labelled ProgressBar (0–100)."""

    DEFAULT_CSS = """
    Gauge { height: 1; width: 1fr; }
    Gauge > Label { width: 5; }
    Gauge ProgressBar { width: 1fr; }
    Gauge Bar { width: 1fr; }
    """

    def __init__(self, label: str, value: int = 0, *, id: str | None = None, classes: str | None = None,
                 label_width: int | None = None):
        super().__init__(id=id, classes=classes)
        self.label = label
        self._value = value
        self._label_width = label_width      # line the bars up when the labels are longer than 怒气

    def compose(self) -> ComposeResult:
        label = Label(self.label)
        if self._label_width and self._label_width > 5:
            label.styles.width = self._label_width
        yield label
        yield ProgressBar(total=100, show_eta=False, show_percentage=True)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).update(progress=self._value)

    @property
    def value(self) -> int:
        return self._value

    def set(self, value: int) -> None:
        self._value = value
        if self.is_mounted:
            self.query_one(ProgressBar).update(progress=value)


class ReplyInput(Input):
    """The reply box: text past ``max_length`` (a long paste) is cut to fit, not dropped whole as
    Textual's ``Input`` does, and ``Cut`` is posted so the screen can say so."""

    class Cut(Message):
        """Some typed or pasted text did not fit."""

    def replace(self, text: str, start: int, end: int) -> None:
        if self.max_length:
            a, b = sorted((max(0, start), min(len(self.value), end)))
            room = self.max_length - (len(self.value) - (b - a))
            if len(text) > room:
                text = text[:max(0, room)]
                self.post_message(self.Cut())
        super().replace(text, start, end)
