"""The scenario picker: a filterable table and a preview of the selected case file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

from ...i18n import DEFAULT, address, money, t
from ..coach import PERSONA_KINDS, case_items, persona_kind, persona_label, product_label, stage, stars
from ..locale import Localized
from ..messages import OfferResume, OpenCase, ToggleExam
from ..widgets import Prose

if TYPE_CHECKING:
    from ..app import CollectorSimApp


def _haystack(sc: Any, lang: str = DEFAULT) -> str:
    """What the filter searches: ids, title, persona and product (in the UI's and the scenario's words)."""
    s = sc.spec
    c = s.case
    kind = persona_kind(sc)
    labels = {persona_label(kind, x) for x in (lang, s.lang)} if kind in PERSONA_KINDS else set()
    labels |= {product_label(c.product, x) for x in (lang, s.lang)}
    return " ".join([s.id, s.title, s.persona, kind, *sorted(labels), c.product, c.product_name or "", c.creditor,
                     c.debtor_name, s.lang, s.objective]).lower()


def case_markup(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"[b $text-accent]{label}[/] {escape(value)}" for label, value in rows)


class PickerScreen(Localized, Screen[None]):
    app: "CollectorSimApp"
    BINDINGS = [
        Binding("down", "cursor(1)", "picker.down", show=False),
        Binding("up", "cursor(-1)", "picker.up", show=False),
        Binding("pagedown", "cursor(8)", show=False),
        Binding("pageup", "cursor(-8)", show=False),
        Binding("enter", "open", "picker.open", priority=False),
        Binding("f4", "toggle_mode", "picker.mode"),
        Binding("ctrl+r", "resume", "picker.resume"),
        Binding("escape", "clear_filter", "picker.clear", show=False),
    ]

    def __init__(self, offer_resume: bool = True, lang: str = DEFAULT):
        super().__init__()
        self.localize(lang)
        self.offer_resume = offer_resume
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="picker"):
            with Vertical(id="picker-left"):
                yield Input(placeholder=t("picker.filter", self.lang), id="filter")
                yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
                yield Label("", id="picker-count")
            with VerticalScroll(id="preview", can_focus=False) as preview:
                preview.border_title = t("picker.preview", self.lang)
                yield Prose("", id="preview-text")
        yield Footer()

    COLUMNS = ("title", "persona", "difficulty", "product", "lang")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#filter", Input).focus()
        self._update_mode()
        if self.offer_resume:
            self.call_after_refresh(self.action_resume, True)

    def on_screen_resume(self) -> None:
        self._update_mode()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")
        self.call_after_refresh(self._refill)

    def _refill(self) -> None:
        self._fill(self.query_one("#filter", Input).value)

    def _cells(self, sc: Any) -> dict[str, str]:
        s = sc.spec
        return {"title": s.title, "persona": persona_label(persona_kind(sc), self.lang), "difficulty": stars(s.difficulty),
                "product": product_label(s.case.product, self.lang), "lang": s.lang}

    def _columns(self, rows: list[dict[str, str]]) -> dict[str, int]:
        """Column widths that fit the table: every short column whole (header included), the title
        the rest (cut with …); at a very narrow width the product and language columns go first."""
        table = self.query_one("#scenarios", DataTable)
        avail = (table.size.width or self.size.width) - 2          # the vertical scrollbar
        pad = 2 * table.cell_padding
        head = {k: t(f"picker.col_{k}", self.lang) for k in self.COLUMNS}
        widths = {k: max([cell_len(head[k]), *(cell_len(r[k]) for r in rows)]) for k in self.COLUMNS[1:]}
        for drop in ((), ("lang",), ("lang", "product")):
            keep = {k: w for k, w in widths.items() if k not in drop}
            title = avail - sum(keep.values()) - pad * (len(keep) + 1)
            if title >= 16:
                break
        title = max(8, min(title, max([cell_len(head["title"]), *(cell_len(r["title"]) for r in rows)] or [8])))
        return {"title": title, **keep}

    def _update_mode(self) -> None:
        self.app.sub_title = t("mode.exam_mode" if self.app.exam else "mode.practice_mode", self.lang)

    def _scenarios(self) -> list[Any]:
        items = list(self.app.catalog.scenarios.values())
        # scenarios in the UI's language first, then by difficulty
        return sorted(items, key=lambda s: (s.spec.lang != self.lang, s.spec.difficulty, s.spec.persona, s.id))

    def _fill(self, query: str) -> None:
        table = self.query_one("#scenarios", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        words = query.lower().split()
        self._shown = []
        rows: list[dict[str, str]] = []
        for sc in self._scenarios():
            hay = _haystack(sc, self.lang)
            if all(w in hay for w in words):
                rows.append(self._cells(sc))
                self._shown.append(sc.spec.id)
        widths = self._columns([self._cells(sc) for sc in self.app.catalog.scenarios.values()])
        for key, width in widths.items():
            table.add_column(t(f"picker.col_{key}", self.lang), key=key, width=width)
        for sid, row in zip(self._shown, rows):
            title = Text(row["title"])
            title.truncate(widths["title"], overflow="ellipsis")
            cells = [title, *(Text(row[k]) for k in widths if k != "title")]
            table.add_row(*cells, key=sid)       # plain text: no markup, no links
        if self._shown and 0 < cursor < len(self._shown) and not words:
            table.move_cursor(row=cursor)
        total = len(self.app.catalog.scenarios)
        self.query_one("#picker-count", Label).update(
            t("picker.count", self.lang, shown=len(self._shown), total=total)
            + t("picker.count_nav" if self._shown else "picker.count_none", self.lang))
        self._preview()

    def selected(self) -> str | None:
        table = self.query_one("#scenarios", DataTable)
        if not self._shown:
            return None
        row = min(max(table.cursor_row, 0), len(self._shown) - 1)
        return self._shown[row]

    def _preview(self) -> None:
        sid = self.selected()
        text = self.query_one("#preview-text", Prose)
        if sid is None:
            text.update("")
            return
        sc = self.app.catalog.scenarios[sid]
        c = sc.case
        lang = sc.spec.lang          # a preview of the case file: in the scenario's language
        gist = t("case.gist", lang, who=address(c, lang, full=True), amount=money(c.amount, lang),
                 days=c.overdue_days, stage=stage(c.overdue_days, lang))
        rows = [(label, value) for key, label, value in case_items(sc) if key not in ("debtor", "amount", "overdue")]
        text.update(f"[b]{escape(sc.spec.title)}[/b]\n[$text-muted]{escape(sid)}[/]\n{escape(gist)}\n" + case_markup(rows))

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowHighlighted, "#scenarios")
    def _highlighted(self) -> None:
        self._preview()

    @on(DataTable.RowSelected, "#scenarios")
    def _selected(self) -> None:
        self.action_open()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#scenarios", DataTable)
        if table.has_focus:
            return  # the table moves its own cursor
        if self._shown:
            table.move_cursor(row=max(0, min(len(self._shown) - 1, table.cursor_row + delta)))

    def action_open(self) -> None:
        sid = self.selected()
        if sid is not None:
            self.post_message(OpenCase(sid))

    def action_clear_filter(self) -> None:
        f = self.query_one("#filter", Input)
        f.value = ""
        f.focus()

    def reset_filter(self) -> None:
        """Back from a call: the whole list again, not the last search."""
        f = self.query_one("#filter", Input)
        if f.value:
            f.value = ""
            self._fill("")
        f.focus()

    def action_toggle_mode(self) -> None:
        self.post_message(ToggleExam(self))

    def mode_changed(self) -> None:
        self._update_mode()
        exam = self.app.exam
        self.notify(t("picker.exam_on" if exam else "picker.exam_off", self.lang),
                    title=t("mode.exam_mode" if exam else "mode.practice_mode", self.lang), timeout=3)

    def action_resume(self, quiet: bool = False) -> None:
        self.post_message(OfferResume(quiet))
