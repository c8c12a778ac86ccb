"""The Textual app and its factory, ``make_app`` (used by ``collector-sim play``, the tests and bench).

Screens: picker → case file → call → debrief, with help, quit and resume dialogs on top. The app
keeps the screen stack shallow: [picker, one screen], so "pick another" is one pop away.
The domain (catalog, session, analyzer) is plain Python; this module only wires it to screens.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..errors import UserError
from ..i18n import DEFAULT, resolve_lang, t, value
from .locale import localize_bindings
from . import messages as msg
from .screens.call import CallScreen
from .screens.casefile import CaseFileScreen
from .screens.debrief import DebriefScreen
from .screens.modals import ConfirmQuitScreen, HelpScreen, ResumeScreen
from .screens.picker import PickerScreen
from .screens.verdict import VerdictScreen
from .store import SessionRecord, SessionStore, turn_record

CallEnd = Callable[[Any], None]
#: certification: (session, seconds on the call clock, the call's meta) → the exam's verdict once
#: the last call is recorded (a dict for the verdict screen), else None. Raising keeps the call open.
RecordCall = Callable[[Any, float, dict[str, Any]], "dict[str, Any] | None"]
#: certification: begin (or reopen) the attempt once the app is up → (queue, a call to resume or None)
ExamStart = Callable[[], "tuple[list[tuple[Any, ...]], SessionRecord | None]"]
#: certification: (scenario id, seed, the call's meta) → a fresh, unstarted session from the exam's own
#: engine (``ExamRun.session``), so an exam call is never looked up in the app's catalog
NewSession = Callable[[str, int, dict[str, Any]], Any]
#: what a certification call's session-file header carries from its queue entry
META_KEYS = ("exam", "trainee", "attempt", "attempt_started", "call", "calls", "time_limit")


class CollectorSimApp(App[None]):
    SHUTDOWN_GRACE = 3.0   # seconds an orderly exit after SIGTERM/SIGHUP may take
    CSS_PATH = "collector_sim.tcss"
    TITLE = "collector-sim"
    SUB_TITLE = ""
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "app.quit", priority=True),     # descriptions: keys.* in the locale
        Binding("ctrl+c", "quit", "app.quit", show=False, priority=True),
        Binding("f1", "help", "app.help"),
        Binding("ctrl+t", "toggle_theme", "app.theme", show=False),
    ]

    def __init__(self, catalog: Any, store: SessionStore, *, scenario_id: str | None = None, seed: int | None = None,
                 exam: bool = False, resume: SessionRecord | None = None, now: Callable[[], float] | None = None,
                 queue: Sequence[tuple[str, int]] = (), on_call_end: CallEnd | None = None,
                 time_limit: float | None = None, locked_mode: bool = False, offer_resume: bool = True,
                 theme: str | None = None, lang: str = DEFAULT, on_start: ExamStart | None = None,
                 record_call: RecordCall | None = None, new_session: NewSession | None = None):
        super().__init__()
        self.ui_lang = lang          # the picker and help; a call speaks its scenario's language
        self._keys_lang = lang
        localize_bindings(self, lang)
        self.catalog = catalog
        self.store = store
        self.scenario_id = scenario_id
        self.seed = seed
        self.exam = exam
        self.resume_record = resume
        self.now = now or time.monotonic
        self.queue = list(queue)
        self.on_call_end = on_call_end
        self.time_limit = time_limit
        self.locked_mode = locked_mode
        self.on_start = on_start
        self.record_call = record_call
        self.new_session = new_session
        self._offer_resume = (offer_resume and resume is None and scenario_id is None and not queue
                              and on_start is None)
        self.finished: list[Any] = []   # sessions finished in this run, in order
        self.durations: list[float] = []   # and how long each took (the verdict's reviews show it)
        self.verdict: dict[str, Any] | None = None   # the exam's result, once its last call is recorded
        self.start_error: BaseException | None = None
        self.interrupted: str | None = None          # the signal that stopped the app, if one did
        self._watchdog: threading.Timer | None = None
        self.record_failed = False
        if theme:
            self.theme = theme

    # -- start-up --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._warm_up()
        self._catch_signals()
        self.push_screen(PickerScreen(offer_resume=self._offer_resume, lang=self.ui_lang))
        if self.on_start is not None:
            self.call_after_refresh(self._start_exam)     # the attempt begins once the app is up
        elif self.resume_record is not None:
            self.resume(self.resume_record)
        elif self.queue:
            self.next_call()
        elif self.scenario_id:
            self.open_case(self.scenario_id)

    def _start_exam(self) -> None:
        assert self.on_start is not None
        try:
            queue, record = self.on_start()
        except Exception as exc:      # the limit is reached, the store failed…: the CLI says why
            self.start_error = exc
            self.exit(return_code=2)
            return
        self.queue = list(queue)
        if record is not None:
            self.resume(record)
        else:
            self.next_call()

    # -- signals ---------------------------------------------------------------------------------
    def _catch_signals(self) -> None:
        """SIGTERM and SIGHUP (a closed terminal) end the app the orderly way: a note in the open
        call's session file, the terminal restored, exit 128+signal. The call can be resumed."""
        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
            if sig is None:
                continue
            try:
                loop.add_signal_handler(sig, self.stop_for_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - not on this platform
                pass

    def stop_for_signal(self, sig: int) -> None:
        name = signal.Signals(sig).name
        if self.interrupted is not None:
            return
        self.interrupted = name
        for screen in self.screen_stack:
            if isinstance(screen, CallScreen):
                screen.note_interrupted(name)
        # Everything is on disk now. After a hang-up the terminal is gone and Textual's shutdown can
        # wait forever on a writer thread that died writing to it: if the orderly exit has not
        # finished in a few seconds, end the process (``run`` cancels this once it returns).
        if not self.is_headless:
            self._watchdog = threading.Timer(self.SHUTDOWN_GRACE, os._exit, args=(128 + int(sig),))
            self._watchdog.daemon = True
            self._watchdog.start()
        self.exit(return_code=128 + int(sig))

    def run(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            return super().run(*args, **kwargs)
        finally:
            if self._watchdog is not None:
                self._watchdog.cancel()

    @work(thread=True, group="warmup", exit_on_error=False)
    def _warm_up(self) -> None:
        """Compile the rule packs before the first reply, so even turn 1 answers at once."""
        from ..analyzer import analyze

        for lang in sorted({sc.spec.lang for sc in self.catalog.scenarios.values()} or {DEFAULT}):
            try:
                analyze("您好" if lang == "zh" else "Hello", {"lang": lang})
            except Exception:
                pass

    # -- navigation ------------------------------------------------------------------------------
    def _show(self, screen: Screen[Any]) -> None:
        """Put ``screen`` on top of the picker (replacing whatever was above it)."""
        if isinstance(self.screen, PickerScreen):
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def show_picker(self) -> None:
        if self.locked_mode:
            return
        if not isinstance(self.screen, PickerScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        for screen in self.screen_stack:
            if isinstance(screen, PickerScreen):
                screen.reset_filter()      # a fresh list, not the last search

    def _seed(self, seed: int | None = None) -> int:
        if seed is not None:
            return seed
        if self.seed is not None:
            return self.seed
        return random.SystemRandom().randrange(1, 10000)

    def open_case(self, scenario_id: str, seed: int | None = None, meta: dict[str, Any] | None = None) -> None:
        scenario = self.catalog.get(scenario_id)
        self._show(CaseFileScreen(scenario, self._seed(seed), meta=meta))

    def start_call(self, scenario: Any, seed: int, meta: dict[str, Any] | None = None) -> None:
        meta = dict(meta or {})
        session = self._session(scenario, seed, meta)
        session.start()
        header = {"scenario": scenario.id, "seed": seed, "mode": "exam" if self.exam else "practice",
                  "persona": session.persona.id, "title": scenario.spec.title, "path": scenario.path}
        header.update({k: meta[k] for k in META_KEYS if meta.get(k) is not None})
        log = self.store.new_log(header)
        for turn in session.turns:
            log.append(turn_record(turn))
        self._show(CallScreen(session, log, exam=self.exam, time_limit=meta.get("time_limit") or self.time_limit,
                              meta=meta))

    def _session(self, scenario: Any, seed: int, meta: dict[str, Any]) -> Any:
        """A fresh session for a call: from the exam's engine for a certification call (one with
        meta, when ``new_session`` is given), else from the scenario the app found."""
        from ..session import Session

        if self.new_session is not None and meta:
            return self.new_session(scenario.id, seed, meta)
        return Session(scenario, seed)

    def resume(self, record: SessionRecord) -> None:
        """Replay an unfinished call's replies with its seed and continue it."""
        try:
            scenario = self.catalog.get(record.scenario)
        except UserError as exc:
            self.notify(str(exc), title=t("app.cannot_resume", self.ui_lang), severity="error", markup=False)
            return
        meta = {k: record.header[k] for k in META_KEYS if record.header.get(k) is not None}
        try:
            session = self._session(scenario, record.seed, meta if record.mode == "exam" else {})
        except Exception as exc:      # the exam's engine refused the call: the CLI says why
            self.notify(f"{type(exc).__name__}: {exc}", title=t("app.cannot_resume", self.ui_lang), severity="error",
                        markup=False)
            return
        session.start()
        for text in record.replies:
            if session.ended:
                break
            session.reply(text)
        said = [t.get("debtor") for t in record.turns]
        again = [t.debtor for t in session.turns][:len(said)]
        if said != again:
            lang = scenario.spec.lang
            self.notify(t("app.replay_differs", lang), title=t("app.notice", lang), severity="warning", timeout=8)
        self.exam = record.mode == "exam"
        log = self.store.reopen(record)
        screen = CallScreen(session, log, exam=self.exam, resumed=True,
                            time_limit=record.time_limit or self.time_limit, meta=meta, elapsed=record.elapsed)
        self._show(screen)

    def offer_resume(self, quiet: bool = False) -> None:
        records = [r for r in self.store.unfinished() if r.scenario in self.catalog.scenarios]
        if not records:
            if not quiet:
                self.notify(t("app.no_unfinished", self.ui_lang), timeout=3)
            return
        record = records[0]
        title = self.catalog.scenarios[record.scenario].spec.title

        def answered(answer: str | None) -> None:
            if answer == "resume":
                self.resume(record)
            elif answer == "discard":
                self.store.abandon(record)
                self.notify(t("app.discarded", self.ui_lang), timeout=3)

        self.push_screen(ResumeScreen(record, title, lang=self.ui_lang), answered)

    # -- what screens ask (messages up) ----------------------------------------------------------
    @on(msg.OpenCase)
    def _on_open_case(self, event: msg.OpenCase) -> None:
        self.open_case(event.scenario_id, event.seed, event.meta)

    @on(msg.StartCall)
    def _on_start_call(self, event: msg.StartCall) -> None:
        self.start_call(event.scenario, event.seed, event.meta)

    @on(msg.ShowPicker)
    def _on_show_picker(self) -> None:
        self.show_picker()

    @on(msg.CallEnded)
    def _on_call_ended(self, event: msg.CallEnded) -> None:
        if self.call_ended(event.screen):
            event.screen.log_end()     # the call's file says it ended only once it is recorded

    @on(msg.ShowDebrief)
    def _on_show_debrief(self, event: msg.ShowDebrief) -> None:
        self.show_debrief(event.screen)

    @on(msg.NextCall)
    def _on_next_call(self) -> None:
        self.next_call()

    @on(msg.ShowVerdict)
    def _on_show_verdict(self) -> None:
        self.show_verdict()

    @on(msg.ToggleExam)
    def _on_toggle_exam(self, event: msg.ToggleExam) -> None:
        if self.toggle_exam(event.screen.lang):
            event.screen.mode_changed()

    @on(msg.OfferResume)
    def _on_offer_resume(self, event: msg.OfferResume) -> None:
        self.offer_resume(quiet=event.quiet)

    def call_ended(self, screen: CallScreen) -> bool:
        """A call has ended: record it (certification) before its session file says so. False
        when recording failed: the file stays open, so ``collector-sim exam`` can resume it."""
        if self.record_call is not None:
            try:
                verdict = self.record_call(screen.session, screen.elapsed, dict(screen.meta))
            except Exception as exc:
                self.notify(f"{type(exc).__name__}: {exc}", title=t("exam.not_recorded", screen.lang),
                            severity="error", timeout=30, markup=False)
                self.record_failed = True    # no next call: the attempt must take this one up first
                return False
            if verdict is not None:
                self.verdict = verdict
        self.finished.append(screen.session)
        self.durations.append(screen.elapsed)
        if self.on_call_end is not None:
            self.on_call_end(screen.session)
        return True

    def show_debrief(self, screen: CallScreen) -> None:
        self._show(DebriefScreen(screen.session, exam=screen.exam, duration=screen.elapsed,
                                 has_next=bool(self.queue) and not self.record_failed,
                                 has_verdict=self.verdict is not None,
                                 progress=screen.progress,
                                 coaching=self.record_call is None))   # an exam's: after its verdict

    def show_verdict(self) -> None:
        if self.verdict is not None:
            self._show(VerdictScreen(self.verdict, calls=list(self.finished), durations=list(self.durations)))

    def next_call(self) -> None:
        if not self.queue:
            return
        scenario_id, seed, *rest = self.queue.pop(0)
        self.open_case(scenario_id, seed, rest[0] if rest else None)

    # -- keys ------------------------------------------------------------------------------------
    def action_quit(self) -> None:  # type: ignore[override]
        screen = self.screen
        if isinstance(screen, ConfirmQuitScreen):
            self.exit()
            return
        if isinstance(screen, CallScreen) and not screen.done:
            def answered(quit: bool | None) -> None:
                if quit:
                    self.exit()

            self.push_screen(ConfirmQuitScreen(lang=screen.lang, certification=bool(screen.meta)), answered)
            return
        self.exit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(lang=getattr(self.screen, "lang", self.ui_lang)))

    def use_lang(self, lang: str) -> None:
        """Show the app-wide keys (quit, help) in ``lang``: the language of the screen on top."""
        if lang != self._keys_lang:
            self._keys_lang = lang
            localize_bindings(self, lang)
            self.refresh_bindings()

    def toggle_exam(self, lang: str) -> bool:
        """Switch practice ↔ exam mode for the next call; False (and a notice) when it is locked."""
        if self.locked_mode:
            self.notify(t("app.mode_locked", lang), severity="warning")
            return False
        self.exam = not self.exam
        return True

    # -- the command palette, in the language of the screen on top -----------------------------------
    def _palette(self, key: str) -> tuple[str, str]:
        title, help_text = value(f"palette.{key}", self._keys_lang)
        return str(title), str(help_text)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        p = self._palette
        yield SystemCommand(*p("help"), self.action_help)
        yield SystemCommand(*p("theme"), self.action_change_theme)
        yield SystemCommand(*p("quit"), self.action_quit)
        if screen.query("HelpPanel"):
            yield SystemCommand(*p("hide_keys"), self.action_hide_help_panel)
        else:
            yield SystemCommand(*p("keys"), self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(*p("minimize"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(*p("maximize"), screen.action_maximize)
        yield SystemCommand(*p("screenshot"), lambda: self.set_timer(0.1, self.deliver_screenshot))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette",
                                            placeholder=t("palette.placeholder", self._keys_lang)))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def on_unmount(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, CallScreen) and screen.session_log is not None:
                screen.session_log.close()


def make_app(scenario_id: str | None = None, *, seed: int | None = None, exam: bool = False, resume: bool = False,
             paths: Sequence[str | Path] = (), home: str | Path | None = None, catalog: Any = None,
             now: Callable[[], float] | None = None, queue: Sequence[tuple[str, int]] = (),
             on_call_end: CallEnd | None = None, time_limit: float | None = None, locked_mode: bool = False,
             theme: str | None = None, lang: str | None = None, on_start: ExamStart | None = None,
             record_call: RecordCall | None = None, new_session: NewSession | None = None) -> CollectorSimApp:
    """Build the app. Raises ``UserError`` (exit 2) for an unknown scenario or nothing to resume.

    ``now`` is the clock the call timer reads (tests pass a fixed one); ``home`` overrides
    ``$COLLECTOR_SIM_HOME``. Certification drives exam mode with ``queue`` (scenario ids and fixed
    seeds, one call after another; an entry may carry a third item, the call's meta: ``exam``,
    ``attempt``, ``call``/``calls`` (「第 2/4 通」), ``time_limit``…, written into its session file),
    ``locked_mode=True`` and ``on_call_end`` (called with each finished ``Session``). ``collector-sim
    exam`` passes ``on_start`` instead of a queue (it begins or reopens the attempt once the app is
    up and returns the queue and any call to resume) and ``record_call``, which stores each call
    before its session file is closed and returns the verdict after the last one, and ``new_session``,
    which gives each exam call its session from the exam's own engine (``ExamRun.session``). ``lang`` is the language of the picker and help (default: ``$COLLECTOR_SIM_LANG``,
    else zh); the case file, the call and the debrief speak the scenario's own language.
    """
    from ..scenario import Catalog

    try:
        ui_lang = resolve_lang(lang)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if catalog is None:
        catalog = Catalog.discover(paths)
    for sid, *_ in queue:
        catalog.get(sid)
    if scenario_id is not None:
        catalog.get(scenario_id)
    store = SessionStore(home)
    record = None
    if resume:
        found = [r for r in store.unfinished(scenario_id) if r.scenario in catalog.scenarios]
        if not found:
            where = f" for {scenario_id!r}" if scenario_id else ""
            exam_calls = store.unfinished_exam_calls(scenario_id)
            if exam_calls:
                h = exam_calls[0].header
                raise UserError(f"no unfinished practice call to resume{where}; the unfinished call of exam "
                                f"{h.get('exam')!r} (attempt {h.get('attempt')}) belongs to its attempt: resume it "
                                f"with 'collector-sim exam {h.get('exam')} --trainee {h.get('trainee')}'")
            raise UserError(f"no unfinished call to resume{where} (looked in {store.folder})")
        record = found[0]
    return CollectorSimApp(catalog, store, scenario_id=scenario_id, seed=seed, exam=exam, resume=record, now=now,
                           queue=queue, on_call_end=on_call_end, time_limit=time_limit, locked_mode=locked_mode,
                           theme=theme, lang=ui_lang, on_start=on_start, record_call=record_call,
                           new_session=new_session)
