"""The scenario picker: a filterable table and a preview of the selected case file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

from ..coach import PERSONA_LABELS, PRODUCT_LABELS, case_rows, stage, stars
from ..widgets import Prose

if TYPE_CHECKING:
    from ..app import CollectorSimApp


def _haystack(sc: Any) -> str:
    s = sc.spec
    c = s.case
    return " ".join([s.id, s.title, s.persona, PERSONA_LABELS.get(s.persona, ""), c.product,
                     PRODUCT_LABELS.get(c.product, ""), c.product_name or "", c.creditor, c.debtor_name,
                     s.lang, s.objective]).lower()


def case_markup(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"[b $text-accent]{label}[/] {escape(value)}" for label, value in rows)


class PickerScreen(Screen[None]):
    app: "CollectorSimApp"
    BINDINGS = [
        Binding("down", "cursor(1)", "下一个", show=False),
        Binding("up", "cursor(-1)", "上一个", show=False),
        Binding("pagedown", "cursor(8)", show=False),
        Binding("pageup", "cursor(-8)", show=False),
        Binding("enter", "open", "打开案件", priority=False),
        Binding("f4", "toggle_mode", "练习/考试"),
        Binding("ctrl+r", "resume", "继续未完成"),
        Binding("escape", "clear_filter", "清除筛选", show=False),
    ]

    def __init__(self, offer_resume: bool = True):
        super().__init__()
        self.offer_resume = offer_resume
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="picker"):
            with Vertical(id="picker-left"):
                yield Input(placeholder="筛选:输入标题、人设、产品、机构…", id="filter")
                yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
                yield Label("", id="picker-count")
            with VerticalScroll(id="preview", can_focus=False) as preview:
                preview.border_title = "案件预览"
                yield Prose("", id="preview-text")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        table.add_column("标题", key="title")
        table.add_column("人设", key="persona")
        table.add_column("难度", key="difficulty")
        table.add_column("产品", key="product")
        table.add_column("语言", key="lang")
        self._fill("")
        self.query_one("#filter", Input).focus()
        self._update_mode()
        if self.offer_resume:
            self.call_after_refresh(self.action_resume, True)

    def on_screen_resume(self) -> None:
        self._update_mode()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    def _update_mode(self) -> None:
        self.app.sub_title = "考试模式" if self.app.exam else "练习模式"

    def _scenarios(self) -> list[Any]:
        items = list(self.app.catalog.scenarios.values())
        return sorted(items, key=lambda s: (s.spec.difficulty, s.spec.persona, s.id))

    def _fill(self, query: str) -> None:
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        words = query.lower().split()
        self._shown = []
        for sc in self._scenarios():
            hay = _haystack(sc)
            if all(w in hay for w in words):
                s = sc.spec
                table.add_row(s.title, PERSONA_LABELS.get(s.persona, s.persona), stars(s.difficulty),
                              PRODUCT_LABELS.get(s.case.product, s.case.product), s.lang, key=s.id)
                self._shown.append(s.id)
        total = len(self.app.catalog.scenarios)
        self.query_one("#picker-count", Label).update(
            f"{len(self._shown)} / {total} 个场景" + (" · ↑↓ 选择 · Enter 打开" if self._shown else " · 没有匹配的场景"))
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
        gist = f"{c.debtor_name}{c.honorific} · {c.amount_text} · 逾期{c.overdue_days}天 · {stage(c.overdue_days)}"
        rows = [r for r in case_rows(sc) if r[0] not in ("债务人", "欠款", "逾期")]
        text.update(f"[b]{escape(sc.spec.title)}[/b]\n[$text-muted]{sid}[/]\n{escape(gist)}\n" + case_markup(rows))

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
            self.app.open_case(sid)

    def action_clear_filter(self) -> None:
        f = self.query_one("#filter", Input)
        f.value = ""
        f.focus()

    def action_toggle_mode(self) -> None:
        if self.app.locked_mode:
            self.notify("考试模式由考试设定,不能切换", severity="warning")
            return
        self.app.exam = not self.app.exam
        self._update_mode()
        self.notify("考试模式:没有提示和实时得分,结束后看复盘" if self.app.exam else "练习模式:实时反馈,F2 提示",
                    title="考试模式" if self.app.exam else "练习模式", timeout=3)

    def action_resume(self, quiet: bool = False) -> None:
        self.app.offer_resume(quiet=quiet)
