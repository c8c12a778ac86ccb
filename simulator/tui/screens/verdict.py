"""The exam's verdict, shown as soon as its last call is recorded (the attempt is already judged,
signed and stored by then: leaving the app changes nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header

from ...i18n import t
from ..coach import dimensions, outcome_label
from ..locale import Localized
from ..widgets import Prose

if TYPE_CHECKING:
    from ..app import CollectorSimApp


class VerdictScreen(Localized, Screen[None]):
    """``verdict``: the dict ``record_call`` returned after the last call: ``title``, ``lang``,
    ``passed``, ``attempt``, ``attempts``, ``scores``, ``pass``, ``reasons``, ``calls``, ``signature``."""

    app: "CollectorSimApp"
    BINDINGS = [Binding("q,enter", "app.quit", "verdict.quit", show=False),   # ^q is in the footer already
                Binding("1", "review(1)", "verdict.review"),
                *(Binding(str(i), f"review({i})", show=False) for i in range(2, 10))]

    def __init__(self, verdict: dict[str, Any], calls: list[Any] | None = None, durations: list[float] | None = None):
        super().__init__()
        self.localize(str(verdict.get("lang") or "zh"))
        self.verdict = verdict
        self.calls = list(calls or [])   # the sessions of this run's calls, in order: their debriefs open here
        self.durations = list(durations or [])

    def compose(self) -> ComposeResult:
        v, lang = self.verdict, self.lang
        passed = bool(v.get("passed"))
        yield Header()
        with VerticalScroll(id="verdict"):
            head = (f"[b $text-success]{t('verdict.passed', lang)}[/]" if passed else
                    f"[b $text-error]{t('verdict.failed', lang)}[/]")
            sub = t("verdict.attempt", lang, title=escape(str(v.get("title", ""))), n=v.get("attempt"),
                    total=v.get("attempts"))
            yield Prose(f"{head}\n{sub}", id="verdict-head", classes="good" if passed else "bad")
            lines = [f"[b]{t('verdict.means', lang)}[/b]"]
            marks = v.get("pass") or {}
            dims = dict(dimensions(lang))
            scores = v.get("scores") or {}
            for key in ("politeness", "clarity", "solution"):
                if key in scores:
                    need = (marks.get("dimensions") or {}).get(key)
                    lines.append(f"  {escape(dims[key])} {scores[key]:g}"
                                 + (f" [$text-muted]({t('verdict.needs', lang, n=need)})[/]" if need is not None else ""))
            if "overall" in scores:
                need = marks.get("overall")
                lines.append(f"  {escape(t('dimension.overall', lang))} {scores['overall']:g}"
                             + (f" [$text-muted]({t('verdict.needs', lang, n=need)})[/]" if need is not None else ""))
            calls = v.get("calls") or []
            if calls:
                lines.append(f"\n[b]{t('verdict.calls', lang)}[/b]")
                for i, c in enumerate(calls, 1):
                    lines.append(f"  {i}. {escape(str(c.get('title') or c.get('scenario')))} · "
                                 f"{escape(outcome_label(str(c.get('outcome')), lang))} · {c.get('overall')}")
            reasons = v.get("reasons") or []
            if reasons:
                lines.append(f"\n[b $text-error]{t('verdict.reasons', lang)}[/]")
                lines += [f"  - {escape(str(r))}" for r in reasons]
            if v.get("signature"):
                lines.append(f"\n[$text-muted]{escape(t('verdict.signed', lang, sig=str(v['signature'])[:16]))}[/]")
            if self.calls:
                lines.append(f"\n[b $text-accent]{escape(t('verdict.review_note', lang, n=min(9, len(self.calls))))}[/]")
            lines.append(f"\n{t('verdict.leave', lang)}")
            yield Prose("\n".join(lines), id="verdict-body")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return 1 <= int(parameters[0]) <= len(self.calls)  # type: ignore[call-overload]
        return True

    def action_review(self, n: int) -> None:
        """Open call ``n``'s debrief, every turn open to its coaching (Esc comes back here)."""
        if 1 <= n <= len(self.calls):
            from .debrief import DebriefScreen

            session = self.calls[n - 1]
            duration = self.durations[n - 1] if n <= len(self.durations) else 0.0
            self.app.push_screen(DebriefScreen(session, exam=True, duration=duration, coaching=True, review=True))

    def on_screen_resume(self) -> None:
        self.app.sub_title = t("verdict.subtitle", self.lang)

    def on_mount(self) -> None:
        self.app.sub_title = t("verdict.subtitle", self.lang)
        self.query_one("#verdict", VerticalScroll).focus()
