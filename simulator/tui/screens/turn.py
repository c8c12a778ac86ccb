"""One turn of a finished call, opened from the debrief's timeline: its scores, what was wrong
(red lines, tone), the step still missing, and a model line for that moment."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label

from ...i18n import t
from ..coach import dimensions, widen_span
from ..locale import Localized
from ..widgets import Prose


def turn_markup(row: Any, lang: str) -> str:
    """The opened turn (a ``report.TurnCoaching``) as markup, in the scenario's language."""
    colon = t("debrief.colon", lang)
    spans = sorted((s for f in row.findings if (s := widen_span(row.trainee, f.start, f.end)) is not None))
    said, at = "", 0
    for a, b in spans:                      # the words of each finding, highlighted
        if a < at:
            continue
        said += escape(row.trainee[at:a]) + f"[b $text-error on $error-muted]{escape(row.trainee[a:b])}[/]"
        at = b
    said += escape(row.trainee[at:])
    parts = [f"[b $text-accent]{escape(t('debrief.turn_said', lang))}[/]{colon}{said}"]
    if row.debtor:
        parts.append(f"[b $text-accent]{escape(t('debrief.turn_they', lang))}[/]{colon}{escape(row.debtor)}")
    scores = " · ".join(f"{escape(label)} {row.scores.get(k, 0)}" for k, label in dimensions(lang))
    parts.append(f"[b $text-accent]{escape(t('debrief.turn_scores', lang))}[/]{colon}{scores}")
    if row.model_line:       # what to say instead comes first: on 80×24 it is in view without scrolling
        parts.append(f"[b $text-success]{escape(t('debrief.turn_model', lang))}[/] [$text-muted]({escape(row.why)})[/]")
        parts.append(f"[b]{escape(row.model_line)}[/b]")
    parts.append("")
    if row.findings:
        parts.append(f"[b]{escape(t('debrief.turn_findings', lang))}[/]")
        for f in row.findings:
            style = "$text-error" if f.kind == "red_line" else "$text-warning"
            kind = t("debrief.red_line" if f.kind == "red_line" else "debrief.tone", lang)
            parts.append(f"[b {style}]{escape(kind)} · {escape(f.name)}[/] "
                         f"{escape(t('format.quote', lang, text=f.quote))}\n  [$text-muted]{escape(f.message)}[/]")
    else:
        parts.append(f"[$text-success]{escape(t('debrief.turn_no_findings', lang))}[/]")
    if row.new_steps:
        parts.append(f"[$text-success]✓[/] {escape(t('debrief.turn_did', lang, steps=t('format.list_sep', lang).join(row.new_steps)))}")
    if row.missing_label:
        parts.append(f"[$text-warning]→[/] {escape(t('debrief.turn_missing', lang, step=row.missing_label))}")
    else:
        parts.append(f"[$text-success]✓[/] {escape(t('debrief.turn_nothing_missing', lang))}")
    return "\n".join(parts)


class TurnScreen(Localized, ModalScreen[None]):
    """``rows``: every turn's coaching; ``index``: the one shown (←/→ move to its neighbours)."""

    BINDINGS = [
        Binding("escape,q,enter", "close", "turn.close"),
        Binding("left,k", "move(-1)", "turn.prev"),
        Binding("right,j", "move(1)", "turn.next"),
    ]

    def __init__(self, rows: list[Any], index: int, lang: str):
        super().__init__()
        self.localize(lang)
        self.rows = rows
        self.index = index

    def compose(self) -> ComposeResult:
        with Vertical(id="turn-box", classes="dialog") as box:
            with VerticalScroll(id="turn-scroll"):
                yield Prose("", id="turn-text")
            yield Label(t("debrief.turn_keys", self.lang), classes="dialog-hint")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        row = self.rows[self.index]
        box = self.query_one("#turn-box")
        box.border_title = t("debrief.turn_title", self.lang, turn=row.turn, state=row.state)
        self.query_one("#turn-text", Prose).update(turn_markup(row, self.lang))
        self.query_one("#turn-scroll", VerticalScroll).scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            i = self.index + int(parameters[0])  # type: ignore[call-overload]
            return 0 <= i < len(self.rows)
        return True

    def action_move(self, delta: int) -> None:
        i = self.index + delta
        if 0 <= i < len(self.rows):
            self.index = i
            self._show()
            self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(None)
