"""The call: the transcript as a chat, the reply box, and the live feedback panel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ...i18n import t
from ...text import MAX_REPLY_CHARS
from ..coach import (OUTCOME_GOOD, coaching_line, dimensions, hint, mood, names, other_party, outcome_label,
                     widen_span)
from ..locale import Localized
from ..messages import CallEnded, ShowDebrief
from ..store import SessionLog, turn_record
from ..widgets import ChatLine, Gauge, Prose, ReplyInput, ScoreBar, Transcript

if TYPE_CHECKING:
    from ..app import CollectorSimApp


def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60:02d}:{s % 60:02d}"


def _excerpt(text: str, start: int | None, end: int | None) -> str:
    """The reply around a red line's words, widened to its clause (never cut mid-word), the words
    highlighted (markup)."""
    span = widen_span(text, start, end)
    if span is None or start is None or end is None:
        return ""
    a, b = span
    return (("…" if a > 0 else "") + escape(text[a:start]) + f"[b $text-error on $error-muted]{escape(text[start:end])}[/]"
            + escape(text[end:b]) + ("…" if b < len(text) else ""))


class CallScreen(Localized, Screen[None]):
    app: "CollectorSimApp"
    AUTO_FOCUS = "#reply"
    BINDINGS = [
        Binding("f2", "hint", "call.hint"),
        Binding("f3", "hang_up", "call.hang_up"),
        Binding("f5", "case_file", "call.case"),
        # once the call has ended; before that the key falls through to the reply box
        Binding("enter", "debrief", "call.debrief", priority=True),
        Binding("pageup", "scroll(-1)", "call.page_up", show=False),
        Binding("pagedown", "scroll(1)", "call.page_down", show=False),
    ]

    CLOCK_EVERY = 5.0   # seconds between clock records in an exam call's session file
    MAX_REPLY = min(500, MAX_REPLY_CHARS)   # one spoken turn; the CLI's cap is the outer bound

    def __init__(self, session: Any, log: SessionLog | None, *, exam: bool, resumed: bool = False,
                 time_limit: float | None = None, meta: dict[str, Any] | None = None, elapsed: float = 0.0):
        super().__init__()
        self.localize(session.scenario.spec.lang)
        self.session = session
        self.session_log = log
        self.exam = exam
        self.resumed = resumed
        self.time_limit = time_limit
        self.started_at = 0.0
        self.elapsed_before = max(0.0, float(elapsed))   # a resumed call's clock goes on from here
        self.meta = dict(meta or {})                      # a certification call: its attempt and place
        self._clock_written = self.elapsed_before
        self.done = False
        self._red_names, _ = names(session.scenario.spec.lang)
        self.other = other_party(session.scenario.case, self.lang)
        self._dims = dimensions(self.lang)
        self._mood = mood(self.lang)
        self._last_line: ChatLine | None = None

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="call"):
            with Vertical(id="call-left"):
                yield Transcript(id="transcript")
                yield ReplyInput(placeholder=t("call.placeholder_exam" if self.exam else "call.placeholder", self.lang),
                            id="reply", max_length=self.MAX_REPLY)
            with VerticalScroll(id="side", can_focus=False):
                yield Static("", id="status")
                with Vertical(id="feedback") as fb:
                    fb.border_title = t("call.last_reply", self.lang)
                    label_width = max(cell_len(label) for _, label in self._dims)
                    for key, label in self._dims:
                        yield ScoreBar(label, id=f"score-{key}", label_width=label_width)
                    yield Prose("", id="redlines")
                    yield Prose("", id="coach")
                with Vertical(id="mood") as mood:
                    mood.border_title = t("call.their_mood", self.lang)
                    width = max(cell_len(label) for _, label in self._mood) + 1
                    for key, label in self._mood:
                        yield Gauge(label, self.session.variables.get(key, 0), id=f"mood-{key}", label_width=width)
                yield Prose("", id="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.exam, "-exam")
        self.started_at = self.app.now() - self.elapsed_before
        s = self.session
        self.app.sub_title = t("call.subtitle", self.lang, title=s.scenario.spec.title, mode=self._mode())
        if self.progress:
            self.app.sub_title += f" · {self.progress}"
        transcript = self.query_one(Transcript)
        if self.resumed:
            transcript.note(t("call.resumed", self.lang, n=sum(1 for x in s.turns if x.turn > 0)))
        for turn in s.turns:
            self._show_turn(turn, replay=True)
        if not s.turns:
            transcript.note(t("call.connected", self.lang, other=self.other))
        self._update_status()
        self.set_interval(1.0, self._tick)
        if s.turns and s.turns[-1].analysis is not None:
            self._update_feedback(s.turns[-1])
        self.query_one("#hint", Prose).display = False
        self.query_one("#reply", Input).focus()

    # -- the turn --------------------------------------------------------------------------------
    @on(ReplyInput.Cut)
    def _cut(self) -> None:
        """The box takes no more than ``MAX_REPLY`` characters: a longer paste was cut; say so."""
        self.notify(t("call.too_long", self.lang, n=self.MAX_REPLY), severity="warning", timeout=6)

    @on(Input.Submitted, "#reply")
    def _submit(self, event: Input.Submitted) -> None:
        if self.done:
            if self.session.ended:
                self.post_message(ShowDebrief(self))
            return
        text = event.value.strip()
        if not text:
            return
        event.input.value = ""
        self.take_turn(text)

    def take_turn(self, text: str) -> None:
        """Say ``text``: the engine answers at once (a few ms); the turn is on disk before it is shown."""
        try:
            result = self.session.reply(text)
        except Exception as exc:  # an engine or rule-pack error must not lose the call
            self.query_one("#reply", Input).value = text
            self.notify(f"{type(exc).__name__}: {exc}", title=t("call.engine_error", self.lang),
                        severity="error", timeout=10, markup=False)
            return
        if self.session_log is not None:
            self.session_log.append({**turn_record(result), "elapsed": round(self.elapsed, 1)})
        self._show_turn(result)
        self._update_feedback(result)
        self._update_status()
        self.query_one("#hint", Prose).display = False
        if result.ended:
            self._ended()

    def _show_turn(self, turn: Any, replay: bool = False) -> None:
        transcript = self.query_one(Transcript)
        if turn.trainee:
            spans = [] if self.exam else [(r.start, r.end) for r in turn.red_lines if r.start is not None]
            transcript.add(t("call.me", self.lang), turn.trainee, "trainee", spans)
        case = self.session.scenario.case
        if turn.handover:  # a hand-over call: the third party's last words, then the debtor's
            transcript.add(other_party(case, self.lang, "third_party"), turn.handover, "debtor")
        if turn.debtor:
            self._last_line = transcript.add(other_party(case, self.lang, turn.speaker), turn.debtor, "debtor")
        if replay and turn.ended:
            self._ended()

    def _update_feedback(self, turn: Any) -> None:
        a = turn.analysis
        for key, _ in self._dims:
            self.query_one(f"#score-{key}", ScoreBar).value = a.scores.get(key) if a is not None else None
        red = self.query_one("#redlines", Prose)
        if a is not None and a.red_lines:
            parts = []
            by_rule: dict[str, list[Any]] = {}
            for r in a.red_lines:
                by_rule.setdefault(r.rule, []).append(r)
            for rule, hits in by_rule.items():
                name = self._red_names.get(rule, rule)
                r = hits[0]
                words = _excerpt(turn.trainee, r.start, r.end) or escape(r.evidence or r.message)
                more = f" ×{len(hits)}" if len(hits) > 1 else ""
                parts.append(f"[b $text-error]{escape(t('call.red_line', self.lang, name=name, more=more))}[/]\n{words}")
            red.update("\n".join(parts))
            red.display = True
        else:
            red.update("")
            red.display = False
        coach = coaching_line(a, self.lang)
        self.query_one("#coach", Prose).update(f"» {escape(coach)}" if coach else "")
        for key, _ in self._mood:
            self.query_one(f"#mood-{key}", Gauge).set(turn.variables.get(key, 0))

    @property
    def progress(self) -> str:
        """「第 2/4 通」 for a call of an exam, else ""."""
        n, total = self.meta.get("call"), self.meta.get("calls")
        if isinstance(n, int) and isinstance(total, int) and total > 0:
            return t("exam.progress", self.lang, n=n + 1, total=total)
        return ""

    def _update_status(self) -> None:
        s = self.session
        elapsed = self.app.now() - self.started_at
        clock = _clock(elapsed)
        if self.time_limit:
            left = self.time_limit - elapsed
            clock += f"/{_clock(self.time_limit)}"      # one line in both languages at 80 columns
            if left < 60:
                clock = f"[b $text-error]{clock}[/]"
        status = t("call.status", self.lang, clock=escape(s.scenario.case.clock), timer=clock, turn=s.turn,
                   mode=self._mode(True))
        if self.progress:
            status += f"\n[b $text-accent]{self.progress}[/]"
        self.query_one("#status", Static).update(status)

    def _mode(self, long: bool = False) -> str:
        return t(f"mode.{'exam' if self.exam else 'practice'}{'_mode' if long else ''}", self.lang)

    def _tick(self) -> None:
        if self.done:
            return
        self._update_status()
        if self.exam and self.session_log is not None and not self.session_log.closed \
                and self.elapsed - self._clock_written >= self.CLOCK_EVERY:
            self._clock_written = self.elapsed
            self.session_log.append({"kind": "clock", "elapsed": round(self.elapsed, 1)})
        if self.time_limit and self.app.now() - self.started_at >= self.time_limit:
            self.notify(t("call.time_up", self.lang), severity="warning")
            self._end_call("time_limit")

    def log_end(self) -> None:
        """Write the call's end into its session file (the app does once the call is recorded)."""
        self._log_end()

    def _log_end(self) -> None:
        if self.session_log is not None and not self.session_log.closed:
            s = self.session
            self.session_log.append({"kind": "end", "outcome": s.outcome, "ended_by": s.ended_by,
                             "summary": s.summary(), "duration": round(self.elapsed, 1)})
            self.session_log.close()

    @property
    def elapsed(self) -> float:
        if not self.started_at and not self.is_mounted:
            return self.elapsed_before
        return self.app.now() - self.started_at

    def note_interrupted(self, signal_name: str) -> None:
        """The app was told to stop (SIGTERM, SIGHUP): say so in the session file, which stays open."""
        if self.session_log is not None and not self.session_log.closed and not self.done:
            self.session_log.append({"kind": "interrupted", "signal": signal_name, "elapsed": round(self.elapsed, 1)})
            self.session_log.close()

    def _ended(self) -> None:
        self.done = True
        # the call is recorded (certification) before its session file says it ended: a crash in
        # between leaves a file that ``collector-sim exam`` resumes, never an ended call not stored
        self.post_message(CallEnded(self))   # recorded, then its file closed (a no-op if already written)
        s = self.session
        outcome = s.outcome or "no_agreement"
        label = outcome_label(outcome, self.lang)
        self.query_one(Transcript).note(t("call.ended", self.lang, label=label),
                                        "good" if outcome in OUTCOME_GOOD else "bad")
        reply = self.query_one("#reply", Input)
        reply.placeholder = t("call.placeholder_ended", self.lang)
        self._update_status()
        self.refresh_bindings()

    # -- keys ------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # the footer shows only keys that work now
        if action == "hint":
            return not self.exam and not self.done
        if action == "hang_up":
            return not self.done
        if action == "debrief":
            return self.done
        return True

    def action_debrief(self) -> None:
        if self.done:
            self.post_message(ShowDebrief(self))

    def action_hint(self) -> None:
        if self.exam or self.done:
            return
        h = hint(self.session)
        box = self.query_one("#hint", Prose)
        box.update(t("call.hint", self.lang, why=escape(h.why), line=escape(h.line)))
        box.display = True
        self.query_one("#side", VerticalScroll).scroll_end(animate=False)

    def action_case_file(self) -> None:
        from .casefile import CaseModal

        self.app.push_screen(CaseModal(self.session))

    def action_hang_up(self) -> None:
        self._end_call("trainee")

    def _end_call(self, reason: str) -> None:
        """End the call (the trainee hung up, or the exam's time ran out) and show the debrief."""
        if self.done:
            self.post_message(ShowDebrief(self))
            return
        self.session.finish(reason=reason)
        self._ended()
        self.post_message(ShowDebrief(self))

    def action_scroll(self, direction: int) -> None:
        transcript = self.query_one(Transcript)
        if direction < 0:
            transcript.scroll_page_up()
        else:
            transcript.scroll_page_down()
