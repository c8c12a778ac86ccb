"""The debrief: outcome, scores as a chart, red lines with lawful rewrites, steps, the timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from ..coach import DIMENSIONS, ENDED_BY_LABELS, MOOD, OUTCOME_GOOD, OUTCOME_LABELS
from ..report import export, red_line_details, timeline
from ..widgets import Prose, ScoreBar

if TYPE_CHECKING:
    from ..app import CollectorSimApp


def _highlight(text: str, start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return escape(text)
    return escape(text[:start]) + f"[b $text-error on $error-muted]{escape(text[start:end])}[/]" + escape(text[end:])


class DebriefScreen(Screen[None]):
    app: "CollectorSimApp"
    BINDINGS = [
        Binding("e", "export", "导出"),
        Binding("r", "retry", "再来一次"),
        Binding("n", "pick", "换个场景"),
        Binding("enter", "next_call", "下一通", show=False),
        Binding("q", "app.quit", "退出", show=False),
    ]

    def __init__(self, session: Any, *, exam: bool, duration: float, has_next: bool = False):
        super().__init__()
        self.session = session
        self.exam = exam
        self.duration = duration
        self.has_next = has_next
        self.exported: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        s = self.session
        summary = s.summary()
        outcome = s.outcome or "no_agreement"
        good = outcome in OUTCOME_GOOD
        passed = summary["passed"]
        yield Header()
        with VerticalScroll(id="debrief"):
            mins, secs = divmod(int(self.duration), 60)
            verdict = "[b $text-success]通过[/]" if passed else "[b $text-error]未通过 · 触碰红线[/]"
            mark = "✓" if good else "✗"
            style = "$text-success" if good else "$text-error"
            commitment = ""
            if summary.get("commitment"):
                cm = summary["commitment"]
                commitment = (f"\n承诺:{escape(cm.get('deadline') or '—')} 还 {escape(cm.get('amount_text') or '—')}"
                              f"({'已复述确认' if cm.get('confirmed') else '未复述确认'})")
            yield Prose(
                f"[b {style}]{mark} {OUTCOME_LABELS.get(outcome, outcome)}[/] · {verdict}\n"
                f"{escape(s.scenario.spec.title)} · {ENDED_BY_LABELS.get(s.ended_by or '', s.ended_by or '')} · "
                f"{summary['replies']} 句 · {mins:02d}:{secs:02d} · {'考试' if self.exam else '练习'}模式"
                f"{commitment}", id="outcome", classes="good" if good and passed else "bad")
            with Horizontal(id="overview"):
                with Vertical(id="chart") as chart:
                    chart.border_title = "得分"
                    for key, label in DIMENSIONS:
                        yield ScoreBar(label, summary[key], id=f"final-{key}")
                    yield ScoreBar("总分", summary["overall"], id="final-overall")
                    per_turn = [sum(t.scores.values()) / 3 for t in timeline(s)]
                    if per_turn:
                        yield Static("[$text-muted]逐句平均分[/]", classes="spark-label")
                        yield Sparkline(per_turn, id="spark")
                steps = "\n".join(
                    (f"[b $text-success]✓[/] {escape(summary['step_labels'][k])}" if ok else
                     f"[b $text-error]✗[/] [$text-muted]{escape(summary['step_labels'][k])}[/]")
                    for k, ok in summary["steps"].items())
                st = Prose(steps, id="steps")
                st.border_title = f"通话步骤 {sum(summary['steps'].values())}/{len(summary['steps'])}"
                yield st
            details = red_line_details(s)
            with Vertical(id="redline-list") as box:
                box.border_title = f"红线 ({len(details)})"
                if not details:
                    yield Prose("[$text-success]没有触碰红线。[/]", classes="redline none")
                for d in details:
                    yield Prose(
                        f"[b $text-error]第{d.turn}轮 · {escape(d.name)}[/] 「{escape(d.evidence)}」 [$text-muted]({d.rule})[/]\n"
                        f"你说:{_highlight(d.reply, d.start, d.end)}\n"
                        f"为什么:{escape(d.message)}\n"
                        f"[b $text-success]合规说法[/]:{escape(d.suggestion)}", classes="redline")
            table = DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
            table.border_title = "逐轮"
            yield table
            yield Prose("", id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = "复盘"
        table = self.query_one("#timeline", DataTable)
        table.add_columns("轮", "你说的话", "对方状态", "礼", "清", "方", "红线", *(l[:1] for _, l in MOOD))
        for row in timeline(self.session):
            s = row.scores
            said = row.trainee if len(row.trainee) <= 14 else row.trainee[:13] + "…"
            table.add_row(str(row.turn), said, row.transition, str(s["politeness"]), str(s["clarity"]),
                          str(s["solution"]), "、".join(row.red_lines) or "—",
                          *(str(row.mood[k]) for k, _ in MOOD), key=str(row.turn))
        self.query_one("#debrief", VerticalScroll).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_call":
            return True if self.has_next else None
        if action in ("retry", "pick") and self.app.locked_mode:
            return None
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
        self.query_one("#export-status", Prose).update(
            f"[b $text-success]已导出[/] {escape(str(json_path))}\n         {escape(str(md_path))}")
        self.notify(f"{md_path}", title="已导出 JSON + Markdown", timeout=6)
        self.query_one("#debrief", VerticalScroll).scroll_end(animate=False)

    def action_retry(self) -> None:
        self.app.start_call(self.session.scenario, self.session.seed)

    def action_pick(self) -> None:
        self.app.show_picker()

    def action_next_call(self) -> None:
        if self.has_next:
            self.app.next_call()
