"""Small modal screens: help, leaving a call, resuming an unfinished call."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ..store import SessionRecord
from ..widgets import Prose

INTRO = """\
[b]collector-sim[/b] — 催收通话模拟训练

[b]流程[/b]  选择场景 → 阅读案件资料 → 通话 → 复盘
一通好的电话:表明身份 → 核实本人 → 说明欠款 → 询问原因 → 提供方案 → 落实金额和时间 → 复述确认 → 礼貌收尾
红线(一票否决):辱骂、威胁、冒充公检法、虚假法律后果、曝光隐私、向第三方透露、私人账户收款、违规时段、诱导借贷
练习模式:实时显示每句话的得分、红线和一句指导,F2 给出示范话术。考试模式:不显示提示和实时得分,通话结束后看复盘。"""

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("场景列表", [("输入文字", "筛选场景(标题、人设、产品、机构)"), ("↑ ↓", "选择场景"), ("Enter", "打开案件资料"),
              ("F4", "切换练习 / 考试模式"), ("Ctrl+R", "继续未完成的通话")]),
    ("案件资料", [("Enter", "开始通话"), ("Esc", "返回场景列表")]),
    ("通话中", [("Enter", "发送你说的话(输入框始终保持焦点)"), ("F2", "提示:现在该怎么说(仅练习模式)"),
             ("F3", "挂断,结束通话"), ("PgUp PgDn", "翻看对话记录"),
             ("Ctrl+Q Ctrl+C", "退出(先确认;每一句都已保存,play --resume 可以接着打)")]),
    ("复盘", [("E", "导出对话和报告(JSON + Markdown)"), ("R", "再来一次(同一场景、同一种子)"), ("N", "换一个场景"),
            ("↑ ↓ PgUp PgDn", "滚动")]),
    ("任何时候", [("F1", "本帮助"), ("Ctrl+T", "切换明暗主题"), ("Ctrl+P", "命令面板"), ("Ctrl+Q", "退出")]),
]


def help_markup() -> str:
    from rich.cells import cell_len
    from rich.markup import escape

    width = max(cell_len(k) for _, rows in KEYS for k, _ in rows) + 2
    parts = [INTRO]
    for title, rows in KEYS:
        parts.append(f"\n[b]{title}[/b]")
        for key, what in rows:
            parts.append(f"  [b $text-accent]{escape(key)}[/]{' ' * (width - cell_len(key))}{escape(what)}")
    return "\n".join(parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "关闭")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog") as box:
            box.border_title = "帮助 · 按键"
            with VerticalScroll(id="help-scroll"):
                yield Prose(help_markup(), id="help-text")
            yield Label("Esc 关闭", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmQuitScreen(ModalScreen[bool]):
    """Asked before leaving a call (Ctrl+C / Ctrl+Q). Dismisses with True to quit."""

    BINDINGS = [
        Binding("y,ctrl+q,ctrl+c", "answer(True)", "退出", priority=True),
        Binding("n,escape", "answer(False)", "继续通话"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box", classes="dialog") as box:
            box.border_title = "退出?"
            yield Static("通话还没有结束。现在退出吗?\n\n说过的每一句都已保存,下次运行 "
                         "[b]collector-sim play --resume[/b] 可以接着打。", id="quit-text")
            with Horizontal(classes="buttons"):
                yield Button("退出 (Y)", id="quit-yes", variant="error")
                yield Button("继续通话 (N)", id="quit-no", variant="primary")

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


class ResumeScreen(ModalScreen[str]):
    """Offers an unfinished call. Dismisses with "resume", "discard" or "later"."""

    BINDINGS = [
        Binding("enter,y", "answer('resume')", "继续", priority=True),
        Binding("d", "answer('discard')", "放弃"),
        Binding("escape,n", "answer('later')", "以后再说"),
    ]

    def __init__(self, record: SessionRecord, title: str):
        super().__init__()
        self.record = record
        self.title_text = title

    def compose(self) -> ComposeResult:
        r = self.record
        mode = "考试" if r.mode == "exam" else "练习"
        with Vertical(id="resume-box", classes="dialog") as box:
            box.border_title = "未完成的通话"
            yield Static(f"[b]{self.title_text}[/b]\n场景 {r.scenario} · 种子 {r.seed} · {mode}模式\n"
                         f"已说 {len(r.replies)} 句 · 开始于 {r.started.replace('T', ' ')}\n\n"
                         "要接着打吗?会用同样的种子重放你说过的话,回到中断时的状态。", id="resume-text")
            with Horizontal(classes="buttons"):
                yield Button("继续 (Enter)", id="resume-yes", variant="primary")
                yield Button("放弃 (D)", id="resume-discard", variant="error")
                yield Button("以后再说 (Esc)", id="resume-later")

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
