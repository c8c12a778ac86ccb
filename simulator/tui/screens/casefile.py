"""The case file (望): what the trainee reads before dialling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Static

from ..widgets import Prose

from ..coach import case_rows

if TYPE_CHECKING:
    from ..app import CollectorSimApp


class CaseFileScreen(Screen[None]):
    app: "CollectorSimApp"
    BINDINGS = [
        Binding("enter", "start", "开始通话", priority=True),
        Binding("escape", "back", "返回列表"),
        Binding("f4", "toggle_mode", "练习/考试"),
    ]

    def __init__(self, scenario: Any, seed: int):
        super().__init__()
        self.scenario = scenario
        self.seed = seed

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield Header()
        with VerticalScroll(id="case"):
            yield Static(f"[b]{sc.spec.title}[/b]", id="case-title")
            with Grid(id="case-grid"):
                try:
                    persona_title = sc.persona().spec.title
                except Exception:
                    persona_title = None
                for label, value in case_rows(sc, persona_title):
                    yield Label(label, classes="case-label")
                    yield Prose(value, classes="case-value", markup=False)
                yield Label("种子", classes="case-label")
                yield Prose(f"{self.seed}(同一场景、同一种子、同样的话,得到同样的通话)", classes="case-value")
            yield Prose("", id="case-mode")
            with Horizontal(classes="buttons"):
                yield Button("开始通话 (Enter)", id="start", variant="primary")
                yield Button("返回 (Esc)", id="back")
        yield Footer()

    def on_mount(self) -> None:
        self._update_mode()

    def _update_mode(self) -> None:
        exam = self.app.exam
        self.app.sub_title = "考试模式" if exam else "练习模式"
        self.query_one("#case-mode", Prose).update(
            "[b $text-warning]考试模式[/]:通话中没有提示和实时得分,结束后看复盘。" if exam else
            "[b $text-success]练习模式[/]:每句话实时打分、标出红线,F2 给出示范话术。")

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self.app.start_call(self.scenario, self.seed)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.show_picker()

    def action_toggle_mode(self) -> None:
        if self.app.locked_mode:
            self.notify("考试模式由考试设定,不能切换", severity="warning")
            return
        self.app.exam = not self.app.exam
        self._update_mode()
