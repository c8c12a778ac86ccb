"""The debrief: outcome, scores as a chart, red lines with lawful rewrites, steps, the timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from ...i18n import t
from ..coach import OUTCOME_GOOD, dimensions, ended_by_label, mood, outcome_label
from ..locale import Localized, localize_bindings
from ..messages import NextCall, ShowPicker, ShowVerdict, StartCall
from ..report import commitment_text, export, header_facts, red_line_details, timeline
from ..widgets import Prose, ScoreBar
from .turn import TurnScreen

if TYPE_CHECKING:
    from ..app import CollectorSimApp


def _highlight(text: str, start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return escape(text)
    return escape(text[:start]) + f"[b $text-error on $error-muted]{escape(text[start:end])}[/]" + escape(text[end:])


class TimelineTable(DataTable[Any]):
    """The debrief's timeline: Enter (shown in the footer) opens the selected turn."""

    BINDINGS = [Binding("enter", "select_cursor", "debrief.open")]


class DebriefScreen(Localized, Screen[None]):
    app: "CollectorSimApp"
    BINDINGS = [
        Binding("e", "export", "debrief.export"),
        Binding("r", "retry", "debrief.retry"),
        Binding("n", "pick", "debrief.pick"),
        Binding("enter", "open_turn", "debrief.open"),
        Binding("enter", "next_call", "debrief.next"),
        Binding("enter", "verdict", "debrief.verdict"),
        Binding("q", "app.quit", "debrief.quit", show=False),
        Binding("escape", "back", "debrief.back"),
    ]

    def __init__(self, session: Any, *, exam: bool, duration: float, has_next: bool = False,
                 has_verdict: bool = False, progress: str = "", coaching: bool = True, review: bool = False):
        super().__init__()
        self.has_verdict = has_verdict and not has_next
        self.progress = progress
        self.localize(session.scenario.spec.lang)
        self.session = session
        self.exam = exam
        self.duration = duration
        self.has_next = has_next
        self.exported: tuple[str, str] | None = None
        self._coached: list[Any] | None = None
        self.coaching = coaching      # the turns open to their coaching (an exam's: after its verdict)
        self.review = review          # opened from the exam's verdict: Esc goes back to it

    def compose(self) -> ComposeResult:
        s = self.session
        lang = self.lang
        summary = s.summary()
        facts = header_facts(s)
        outcome = facts["outcome"]
        good = outcome in OUTCOME_GOOD
        passed = summary["passed"]
        yield Header()
        with VerticalScroll(id="debrief"):
            mins, secs = divmod(int(self.duration), 60)
            # three separate facts: how the call ended · whether it stayed lawful · the score
            if not facts["replied"]:
                verdict = f"[b $text-warning]{escape(t('debrief.no_reply', lang))}[/]"
            else:
                verdict = ((f"[b $text-success]{t('debrief.compliant', lang)}[/]" if passed else
                            f"[b $text-error]{t('debrief.crossed', lang)}[/]")
                           + f" · [b]{t('debrief.overall_score', lang, n=facts['overall'])}[/]")
            mark = "✓" if good else "✗"
            style = "$text-success" if good else "$text-error"
            commitment = ""
            if (summary.get("commitment") or {}).get("agreed"):
                commitment = "\n" + escape(commitment_text(summary["commitment"], lang))
            headline = t("debrief.headline", lang, title=escape(s.scenario.spec.title),
                         ended_by=ended_by_label(s.ended_by, lang), replies=summary["replies"],
                         clock=f"{mins:02d}:{secs:02d}", mode=t("mode.exam_mode" if self.exam else "mode.practice_mode", lang))
            yield Prose(
                f"[b {style}]{mark} {outcome_label(outcome, lang)}[/] · {verdict}\n{headline}{commitment}",
                id="outcome", classes="good" if good and passed else "bad")
            with Horizontal(id="overview"):
                with Vertical(id="chart") as chart:
                    chart.border_title = t("debrief.scores", lang)
                    overall = t("dimension.overall", lang)
                    label_width = max(cell_len(x) for x in [overall, *(label for _, label in dimensions(lang))])
                    for key, label in dimensions(lang):
                        yield ScoreBar(label, summary[key], id=f"final-{key}", label_width=label_width)
                    yield ScoreBar(overall, summary["overall"], id="final-overall", label_width=label_width)
                    per_turn = [sum(row.scores.values()) / 3 for row in timeline(s)]
                    if per_turn:
                        yield Static(f"[$text-muted]{t('debrief.per_reply', lang)}[/]", classes="spark-label")
                        yield Sparkline(per_turn, id="spark")
                steps = "\n".join(
                    (f"[b $text-success]✓[/] {escape(summary['step_labels'][k])}" if ok else
                     f"[b $text-error]✗[/] [$text-muted]{escape(summary['step_labels'][k])}[/]")
                    for k, ok in summary["steps"].items())
                st = Prose(steps, id="steps")
                st.border_title = t("debrief.steps", lang, done=sum(summary["steps"].values()),
                                    total=len(summary["steps"]))
                yield st
            details = red_line_details(s)
            with Vertical(id="redline-list") as box:
                box.border_title = t("debrief.red_lines", lang, n=len(details))
                if not details:
                    yield Prose(f"[$text-success]{t('debrief.no_red_lines', lang)}[/]", classes="redline none")
                colon = t("debrief.colon", lang)
                for d in details:
                    title = escape(t("debrief.red_line_title", lang, turn=d.turn, name=d.name))
                    quote = escape(t("format.quote", lang, text=d.quote))
                    yield Prose(
                        f"[b $text-error]{title}[/] {quote}\n"
                        f"{escape(t('debrief.you_said', lang))}{_highlight(d.reply, d.start, d.end)}\n"
                        f"{escape(t('debrief.why', lang))}{escape(d.message)}\n"
                        f"[b $text-success]{t('debrief.lawful', lang)}[/]{colon}{escape(d.suggestion)}", classes="redline")
            table = TimelineTable(id="timeline", cursor_type="row", zebra_stripes=True)
            localize_bindings(table, lang)
            table.border_title = t("debrief.timeline", lang)
            if self.coaching:
                table.border_subtitle = t("debrief.open_turn", lang)
            yield table
            yield Prose("", id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        lang = self.lang
        self.app.sub_title = t("debrief.subtitle", lang) + (f" · {self.progress}" if self.progress else "")
        self._fill_timeline()
        # the page keeps the keys (↑↓ PgUp PgDn scroll it); Enter opens the timeline's selected turn
        # (the first until Tab moves into the timeline), ← → in the opened turn go to its neighbours
        self.query_one("#debrief", VerticalScroll).focus()

    def on_resize(self) -> None:
        self._fill_timeline()

    def _fill_timeline(self) -> None:
        """The timeline, its columns sized to the screen: the reply cut with …, the red lines as a
        count (their names are in the opened turn), the mood columns only where they fit."""
        lang = self.lang
        table = self.query_one("#timeline", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        rows = timeline(self.session)
        moods = mood(lang)
        pad = 2 * table.cell_padding
        avail = max(40, self.size.width or 80) - 6          # borders, padding, the page's scrollbar
        heads = [t("debrief.col_turn", lang), t("debrief.col_said", lang), t("debrief.col_state", lang),
                 *(t(f"dimension_short.{d}", lang) for d in ("politeness", "clarity", "solution")),
                 t("debrief.col_red", lang)]
        mood_heads = [t(f"mood_short.{k}", lang) for k, _ in moods]
        reds = [f"✗{len(r.red_lines)}" if r.red_lines else t("format.none", lang) for r in rows]
        fixed = [max([cell_len(heads[0]), *(cell_len(str(r.turn)) for r in rows)]),
                 max([cell_len(heads[2]), *(cell_len(r.transition) for r in rows)]),
                 *(max(cell_len(h), 3) for h in heads[3:6]),
                 max([cell_len(heads[6]), *(cell_len(x) for x in reds)])]
        mood_w = [max(cell_len(h), 3) for h in mood_heads]
        said = avail - sum(fixed) - pad * (len(fixed) + 1)
        show_mood = said - sum(mood_w) - pad * len(mood_w) >= 16
        if show_mood:
            said -= sum(mood_w) + pad * len(mood_w)
        said = max(8, said)
        widths = [fixed[0], said, *fixed[1:]] + (mood_w if show_mood else [])
        for head, width in zip(heads + (mood_heads if show_mood else []), widths):
            table.add_column(head, width=width)
        for row, red in zip(rows, reds):
            s = row.scores
            text = Text(row.trainee)                      # plain text: a reply is not markup
            text.truncate(said, overflow="ellipsis")
            cells = [Text(str(row.turn)), text, Text(row.transition),
                     *(Text(str(s[d])) for d in ("politeness", "clarity", "solution")), Text(red)]
            if show_mood:
                cells += [Text(str(row.mood[k])) for k, _ in moods]
            table.add_row(*cells, key=str(row.turn))
        if 0 < cursor < len(rows):
            table.move_cursor(row=cursor)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # the footer shows only keys that work here
        if action == "next_call":
            return self.has_next
        if action == "verdict":
            return self.has_verdict
        if action in ("retry", "pick"):
            return not self.app.locked_mode and not self.review
        if action == "back":
            return self.review
        if action == "open_turn":
            return self.coaching and not self.has_next and not self.has_verdict
        return True

    # -- actions ---------------------------------------------------------------------------------
    def action_export(self) -> None:
        self._export()

    @work(thread=True, group="export", exclusive=True)
    def _export(self) -> None:
        json_path, md_path = export(self.session, self.app.store.exports, "exam" if self.exam else "practice",
                                    self.duration)
        self.exported = (str(json_path), str(md_path))
        self.app.call_from_thread(self._exported, json_path, md_path)

    def _exported(self, json_path: Any, md_path: Any) -> None:
        done = t("debrief.exported", self.lang)
        self.query_one("#export-status", Prose).update(
            f"[b $text-success]{done}[/] {escape(str(json_path))}\n{' ' * (cell_len(done) + 3)}{escape(str(md_path))}")
        self.query_one("#debrief", VerticalScroll).scroll_end(animate=False)

    def action_retry(self) -> None:
        self.post_message(StartCall(self.session.scenario, self.session.seed))

    def action_pick(self) -> None:
        self.post_message(ShowPicker())

    def action_next_call(self) -> None:
        if self.has_next:
            self.post_message(NextCall())

    def action_verdict(self) -> None:
        if self.has_verdict:
            self.post_message(ShowVerdict())

    def action_back(self) -> None:
        if self.review:
            self.dismiss(None)

    @on(DataTable.RowSelected, "#timeline")
    def _open_turn(self, event: DataTable.RowSelected) -> None:
        if self.coaching and event.row_key.value is not None:
            self.open_turn(int(event.row_key.value))

    def open_turn(self, turn: int) -> None:
        """Open one turn: its scores, what was wrong, the step missing, and a model line."""
        rows = self._coaching()
        index = next((i for i, c in enumerate(rows) if c.turn == turn), None)
        if index is not None:
            self.app.push_screen(TurnScreen(rows, index, self.lang))

    def action_open_turn(self) -> None:
        table = self.query_one("#timeline", DataTable)
        if self.coaching and table.row_count:
            self.open_turn(int(table.coordinate_to_cell_key((max(0, table.cursor_row), 0)).row_key.value))

    def _coaching(self) -> list[Any]:
        if self._coached is None:
            from ..report import coaching

            self._coached = coaching(self.session)
        return self._coached
