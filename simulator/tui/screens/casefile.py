"""The case file (望): what the trainee reads before dialling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Label, Static

from ...i18n import t
from ..coach import capacity_heard, case_items, case_rows
from ..locale import Localized
from ..messages import ShowPicker, StartCall, ToggleExam
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

    def __init__(self, scenario: Any, seed: int, meta: dict[str, Any] | None = None):
        super().__init__()
        self.localize(scenario.spec.lang)
        self.scenario = scenario
        self.seed = seed
        self.meta = dict(meta or {})     # a certification call: its attempt and place in the exam

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield Header()
        with VerticalScroll(id="case"):
            if self.progress:
                yield Static(Content(self.progress).stylize("bold"), id="case-progress")
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
                if not self.app.locked_mode:
                    yield Button(t("casefile.back", self.lang), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self._update_mode()

    @property
    def progress(self) -> str:
        """「第 2/4 通」 for a call of an exam, else ""."""
        n, total = self.meta.get("call"), self.meta.get("calls")
        if isinstance(n, int) and isinstance(total, int) and total > 0:
            return t("exam.progress", self.lang, n=n + 1, total=total)
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # an exam's calls come in a fixed order and mode: no way back, no mode switch
        if action in ("back", "toggle_mode") and self.app.locked_mode:
            return False
        return True

    def _update_mode(self) -> None:
        exam = self.app.exam
        self.app.sub_title = t("mode.exam_mode" if exam else "mode.practice_mode", self.lang) + (
            f" · {self.progress}" if self.progress else "")
        self.query_one("#case-mode", Prose).update(t("casefile.exam_note" if exam else "casefile.practice_note",
                                                     self.lang))

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self.post_message(StartCall(self.scenario, self.seed, self.meta))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.post_message(ShowPicker())

    def action_toggle_mode(self) -> None:
        self.post_message(ToggleExam(self))

    def mode_changed(self) -> None:
        self._update_mode()


class CaseModal(Localized, ModalScreen[None]):
    """The case file during a call (F5): the facts, the authorised concessions, and what the
    debtor has said so far about what they can pay."""

    BINDINGS = [Binding("escape,f5,q", "close", "casemodal.close")]

    def __init__(self, session: Any):
        super().__init__()
        self.localize(session.scenario.spec.lang)
        self.session = session

    def compose(self) -> ComposeResult:
        sc = self.session.scenario
        lang = self.lang
        with Vertical(id="case-box", classes="dialog") as box:
            box.border_title = t("case.during_call", lang)
            with VerticalScroll(id="case-modal-scroll"):
                yield Static(Content(sc.spec.title).stylize("bold"), id="case-modal-title")
                with Grid(id="case-modal-grid", classes="case-grid"):
                    items = case_items(sc)
                    first = ("amount", "overdue", "concessions")     # what a call needs at a glance first
                    rows = [(k, label, v) for k, label, v in items if k in first]
                    heard = capacity_heard(self.session)
                    rows.append(("capacity", t("case.capacity", lang),
                                 "\n".join(t("format.quote", lang, text=x) for x in heard)
                                 or t("case.capacity_unknown", lang)))
                    rows += [(k, label, v) for k, label, v in items if k not in first]
                    for key, label, value in rows:
                        yield Label(label, classes="case-label")
                        yield Prose(value, classes=f"case-value case-{key}", markup=False)
            yield Label(t("debrief.close", lang), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
