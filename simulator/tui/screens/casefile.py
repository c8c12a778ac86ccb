"""The case file (望): what the trainee reads before dialling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Static

from ...i18n import t
from ..coach import case_rows
from ..locale import Localized
from ..widgets import Prose

if TYPE_CHECKING:
    from ..app import CollectorSimApp


class CaseFileScreen(Localized, Screen[None]):
    app: "CollectorSimApp"
    BINDINGS = [
        Binding("enter", "start", "case.start", priority=True),
        Binding("escape", "back", "case.back"),
        Binding("f4", "toggle_mode", "case.mode"),
    ]

    def __init__(self, scenario: Any, seed: int):
        super().__init__()
        self.localize(scenario.spec.lang)
        self.scenario = scenario
        self.seed = seed

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield Header()
        with VerticalScroll(id="case"):
            yield Static(Content(sc.spec.title).stylize("bold"), id="case-title")
            with Grid(id="case-grid"):
                try:
                    persona_title = sc.persona().spec.title
                except Exception:
                    persona_title = None
                for label, value in case_rows(sc, persona_title):
                    yield Label(label, classes="case-label")
                    yield Prose(value, classes="case-value", markup=False)
                yield Label(t("case.seed", self.lang), classes="case-label")
                yield Prose(t("case.seed_value", self.lang, seed=self.seed), classes="case-value")
            yield Prose("", id="case-mode")
            with Horizontal(classes="buttons"):
                yield Button(t("casefile.start", self.lang), id="start", variant="primary")
                yield Button(t("casefile.back", self.lang), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self._update_mode()

    def _update_mode(self) -> None:
        exam = self.app.exam
        self.app.sub_title = t("mode.exam_mode" if exam else "mode.practice_mode", self.lang)
        self.query_one("#case-mode", Prose).update(t("casefile.exam_note" if exam else "casefile.practice_note",
                                                     self.lang))

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self.app.start_call(self.scenario, self.seed)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.show_picker()

    def action_toggle_mode(self) -> None:
        if not self.app.toggle_exam(self.lang):
            return
        self._update_mode()
