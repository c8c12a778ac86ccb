"""Small modal screens: help, leaving a call, resuming an unfinished call."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ...i18n import DEFAULT, t, value
from ..locale import Localized
from ..store import SessionRecord
from ..widgets import Prose

def help_markup(lang: str = DEFAULT) -> str:
    """The help text: the flow and red lines (``help.intro``) and every key (``help.sections``)."""
    from rich.cells import cell_len
    from rich.markup import escape

    sections = value("help.sections", lang) or []
    rows_all = [row for sec in sections for row in sec["keys"]]
    width = max(cell_len(k) for k, _ in rows_all) + 2
    parts = [t("help.intro", lang)]
    for sec in sections:
        parts.append(f"\n[b]{sec['title']}[/b]")
        for key, what in sec["keys"]:
            parts.append(f"  [b $text-accent]{escape(key)}[/]{' ' * (width - cell_len(key))}{escape(what)}")
    return "\n".join(parts)


class HelpScreen(Localized, ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "help.close")]

    def __init__(self, lang: str = DEFAULT):
        super().__init__()
        self.localize(lang)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog") as box:
            box.border_title = t("help.title", self.lang)
            with VerticalScroll(id="help-scroll"):
                yield Prose(help_markup(self.lang), id="help-text")
            yield Label(t("help.close", self.lang), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmQuitScreen(Localized, ModalScreen[bool]):
    """Asked before leaving a call (Ctrl+C / Ctrl+Q), in the call's language. Dismisses with True to quit."""

    BINDINGS = [
        Binding("y,ctrl+q,ctrl+c", "answer(True)", "quit.leave", priority=True),
        Binding("n,escape", "answer(False)", "quit.stay"),
    ]

    def __init__(self, lang: str = DEFAULT, certification: bool = False):
        super().__init__()
        self.localize(lang)
        self.certification = certification   # leaving ends the exam attempt: say so

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box", classes="dialog") as box:
            box.border_title = t("quit.title", self.lang)
            yield Static(t("quit.text_exam" if self.certification else "quit.text", self.lang), id="quit-text")
            with Horizontal(classes="buttons"):
                yield Button(t("quit.leave", self.lang), id="quit-yes", variant="error")
                yield Button(t("quit.stay", self.lang), id="quit-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#quit-no", Button).focus()

    @on(Button.Pressed, "#quit-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#quit-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, quit: bool) -> None:
        self.dismiss(quit)


class ResumeScreen(Localized, ModalScreen[str]):
    """Offers an unfinished call. Dismisses with "resume", "discard" or "later"."""

    BINDINGS = [
        Binding("enter,y", "answer('resume')", "resume.go", priority=True),
        Binding("d", "answer('discard')", "resume.discard"),
        Binding("escape,n", "answer('later')", "resume.later"),
    ]

    def __init__(self, record: SessionRecord, title: str, lang: str = DEFAULT):
        super().__init__()
        self.localize(lang)
        self.record = record
        self.title_text = title

    def compose(self) -> ComposeResult:
        r = self.record
        lang = self.lang
        mode = t("mode.exam_mode" if r.mode == "exam" else "mode.practice_mode", lang)
        with Vertical(id="resume-box", classes="dialog") as box:
            box.border_title = t("resume.title", lang)
            yield Static(t("resume.text", lang, title=escape(self.title_text), scenario=escape(r.scenario), seed=r.seed,
                           mode=mode, n=len(r.replies), started=escape(r.started.replace("T", " "))),
                         id="resume-text")
            with Horizontal(classes="buttons"):
                yield Button(t("resume.go", lang), id="resume-yes", variant="primary")
                yield Button(t("resume.discard", lang), id="resume-discard", variant="error")
                yield Button(t("resume.later", lang), id="resume-later")

    @on(Button.Pressed, "#resume-yes")
    def _yes(self) -> None:
        self.dismiss("resume")

    @on(Button.Pressed, "#resume-discard")
    def _discard(self) -> None:
        self.dismiss("discard")

    @on(Button.Pressed, "#resume-later")
    def _later(self) -> None:
        self.dismiss("later")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
