"""Crash-safe exams and the exam flow in the app (issue 12 points 3 and 4).

The app is driven exactly as ``collector-sim exam`` drives it (``commands.exam._Attempt`` hooks:
``on_start``, ``record_call``), against a real SQLite store and session files in ``tmp_path``.
A crash is what the files say after it: leaving a ``run_test`` block stops the app without an end
record, like ``kill -9`` after the last write; the points in between are built from the same files.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from certify_support import FOUNDATION, KEY, good_lines
from tui_support import aio, screen_text

from simulator.certify.attempt import ExamRun
from simulator.certify.calls import CallEngine
from simulator.certify.exam import ExamCatalog
from simulator.certify.signing import SigningKey
from simulator.certify.store import Store
from simulator.commands.exam import _Attempt
from simulator.errors import UserError
from simulator.session import Session
from simulator.tui import make_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.casefile import CaseFileScreen
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.verdict import VerdictScreen
from simulator.tui.store import SessionStore, read_record

SIZE = (100, 30)


@pytest.fixture(scope="module")
def engine() -> CallEngine:
    return CallEngine()


@pytest.fixture(scope="module")
def exam():
    return ExamCatalog.discover().get("foundation")


class Rig:
    """One trainee's store, session files and clock, and a fresh ``_Attempt`` per "run" of the command."""

    def __init__(self, tmp_path: Path, exam, engine):  # type: ignore[no-untyped-def]
        self.home = tmp_path / "home"
        self.db = str(tmp_path / "results.sqlite3")
        self.exam, self.engine = exam, engine
        self.key = SigningKey(KEY.encode())
        self.clock = [0.0]
        self.store = Store.open(self.db)

    def attempt(self) -> _Attempt:
        return _Attempt(self.exam, "T1", self.engine, self.store, self.key, SessionStore(self.home))

    def app(self, attempt: _Attempt):  # type: ignore[no-untyped-def]
        return make_app(home=self.home, now=lambda: self.clock[0], catalog=self.engine.catalog, exam=True,
                        locked_mode=True, on_start=attempt.start, record_call=attempt.record_call,
                        new_session=attempt.session)

    def rows(self):  # type: ignore[no-untyped-def]
        return self.store.attempts(trainee="T1", exam_id="foundation", with_record=True)

    def files(self) -> list:
        return list(SessionStore(self.home).records())


@pytest.fixture
def rig(tmp_path, exam, engine):  # type: ignore[no-untyped-def]
    r = Rig(tmp_path, exam, engine)
    yield r
    r.store.close()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await pilot.pause()


async def hold_call(pilot, replies: list[str]) -> CallScreen:  # type: ignore[no-untyped-def]
    """From the case file: start the call, say the replies, hang up if the debtor has not ended it."""
    app = pilot.app
    assert isinstance(app.screen, CaseFileScreen)
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CallScreen)
    for text in replies:
        if screen.done:
            break
        screen.take_turn(text)
        await pilot.pause()
    if not screen.done:
        await pilot.press("f3")
    else:
        await pilot.press("enter")
    await settle(pilot)
    return screen


def footer(app) -> str:  # type: ignore[no-untyped-def]
    return screen_text(app).splitlines()[-1]


@aio
async def test_the_whole_exam_in_the_app_with_its_verdict_before_leaving(rig) -> None:
    attempt = rig.attempt()
    app = rig.app(attempt)
    assert rig.rows() == []                                   # nothing is used before the app is up
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(rig.rows()) == 1 and rig.rows()[0].status == "incomplete"
        for n, sid in enumerate(FOUNDATION, start=1):
            assert isinstance(app.screen, CaseFileScreen) and app.screen.scenario.id == sid
            text = screen_text(app)
            assert f"第 {n}/4 通" in text
            assert "返回" not in footer(app) and "练习/考试" not in footer(app)   # keys that do nothing here
            await pilot.press("enter")
            await settle(pilot)
            call = app.screen
            assert isinstance(call, CallScreen)
            assert not call.query_one("#mood").display and not call.query_one("#feedback").display
            assert f"第 {n}/4 通" in screen_text(app) and "10:00" in screen_text(app)
            assert "提示" not in footer(app)
            for text in good_lines(sid):
                if call.done:
                    break
                call.take_turn(text)
                await pilot.pause()
            if not call.done:
                await pilot.press("f3")
            else:                                             # the debtor ended it: Enter, as the footer says
                assert "查看复盘" in footer(app) and "挂断" not in footer(app)
                await pilot.press("enter")
            await settle(pilot)
            row = rig.rows()[0]
            assert row.calls_done == n                        # stored as the call ended
            assert isinstance(app.screen, DebriefScreen)
            keys = footer(app)
            assert "再来一次" not in keys and "换个场景" not in keys
            if n < 4:
                assert "下一通" in keys and row.status == "incomplete"
            else:
                assert "考试结果" in keys and "下一通" not in keys
                assert row.status == "passed"                 # judged and signed while the app runs
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, VerdictScreen)
        text = screen_text(app)
        assert "✓ 考试通过" in text and "第 1 次(共 3 次机会)" in text
    [row] = rig.rows()
    assert row.status == "passed" and rig.key.check(row.record, row.signature)
    assert all(r.finished for r in rig.files()) and len(rig.files()) == 4


@aio
async def test_a_kill_mid_call_is_resumed_with_its_replies_time_limit_and_clock(rig) -> None:
    first = rig.attempt()
    async with rig.app(first).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await hold_call(pilot, good_lines(FOUNDATION[0]))
        await pilot.press("enter")                            # to call 2's case file
        await settle(pilot)
        rig.clock[0] = 100.0
        await pilot.press("enter")
        await settle(pilot)
        call = pilot.app.screen
        assert isinstance(call, CallScreen)
        said = good_lines(FOUNDATION[1])[:2]
        rig.clock[0] = 130.0                                  # 30 s into call 2
        for text in said:
            call.take_turn(text)
            await pilot.pause()
    # -- the process is gone: attempt open, call 2's file unfinished
    [row] = rig.rows()
    assert row.status == "incomplete" and row.note is None and row.calls_done == 1
    again = rig.attempt()
    assert again.reopen() and again.run.attempt_no == 1 and again.result is None
    record = again.resumed_record
    assert record is not None and record.replies == said and record.elapsed == 30.0
    assert record.time_limit == 600
    rig.clock[0] = 1000.0
    app = rig.app(again)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        call = app.screen
        assert isinstance(call, CallScreen) and call.resumed and call.session.scenario.id == FOUNDATION[1]
        assert [t.trainee for t in call.session.turns if t.turn] == said
        assert "00:30/10:00" in screen_text(app) and "第 2/4 通" in screen_text(app)
        rig.clock[0] = 1000.0 + 571                           # 30 + 571 s: past the 600 s limit
        call._tick()
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
    [row] = rig.rows()
    assert row.calls_done == 2 and len(rig.rows()) == 1
    stored = json.loads(row.record)["calls"][1]
    assert stored["ended_by"] == "time_limit" and stored["duration_s"] == 600.0


@aio
async def test_three_kills_use_one_attempt(rig) -> None:
    for _ in range(3):
        attempt = rig.attempt()
        attempt.reopen()
        async with rig.app(attempt).run_test(size=SIZE) as pilot:
            await settle(pilot)
            if isinstance(pilot.app.screen, CaseFileScreen):
                await pilot.press("enter")
                await settle(pilot)
            pilot.app.screen.take_turn("您好,我是华信银行信用卡中心的客服。")
            await pilot.pause()
    assert len(rig.rows()) == 1 and rig.rows()[0].status == "incomplete"
    rec = rig.files()[0]
    assert len(rig.files()) == 1 and len(rec.replies) == 3       # one file, every reply kept


@aio
async def test_a_call_that_could_not_be_stored_is_recorded_when_the_attempt_is_taken_up(rig) -> None:
    """The call ended on screen but was not stored (the process died, or the store failed):
    its session file has no end record, and taking the attempt up stores it from the file."""
    attempt = rig.attempt()
    real = attempt.record_call

    def failing(session, elapsed, meta):  # type: ignore[no-untyped-def]
        raise RuntimeError("the store went away")

    attempt.record_call = failing  # type: ignore[method-assign]
    app = rig.app(attempt)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await hold_call(pilot, good_lines(FOUNDATION[0]))
        assert screen.done and screen.session.ended
        assert isinstance(app.screen, DebriefScreen) and not app.screen.has_next   # no call 2 on a gap
        assert "下一通" not in footer(app)
    attempt.record_call = real  # type: ignore[method-assign]
    [rec] = rig.files()
    assert not rec.finished                                  # not ended in the file: the store has not got it
    assert rig.rows()[0].calls_done == 0
    again = rig.attempt()
    assert again.reopen()
    assert again.resumed_record is None and len(again.run.calls) == 1
    assert rig.rows()[0].calls_done == 1
    assert again.run.calls[0]["outcome"] == screen.session.outcome


def test_all_calls_stored_but_not_judged_is_judged_when_taken_up(rig, exam, engine) -> None:
    run = ExamRun.begin(exam, "T1", engine=engine, store=rig.store, key=rig.key)
    for call in run.pending():
        run.play(call, good_lines(call.scenario))
    assert rig.rows()[0].status == "incomplete"              # the process died before finish()
    again = rig.attempt()
    assert again.reopen() and again.result is not None and again.result.passed
    assert rig.rows()[0].status == "passed"


def test_an_ended_file_not_in_the_attempt_is_recorded(rig, exam, engine) -> None:
    """A session file that says the call ended (trainee hung up) while the attempt lacks the call."""
    run = ExamRun.begin(exam, "T1", engine=engine, store=rig.store, key=rig.key)
    attempt = rig.attempt()
    attempt.run = run
    sessions = SessionStore(rig.home)
    session = Session.replay(engine.scenario(FOUNDATION[0]), 7, good_lines(FOUNDATION[0])[:2])
    from simulator.tui.store import turn_record

    log = sessions.new_log({"scenario": FOUNDATION[0], "seed": 7, "mode": "exam", **attempt.meta(0)})
    for t in session.turns:
        log.append({**turn_record(t), "elapsed": 12.0})
    log.append({"kind": "end", "outcome": "no_agreement", "ended_by": "trainee", "duration": 20.0})
    log.close()
    again = rig.attempt()
    assert again.reopen() and len(again.run.calls) == 1
    stored = again.run.calls[0]
    assert stored["ended_by"] == "trainee" and stored["duration_s"] == 20.0


@aio
async def test_play_resume_never_reopens_an_exam_call_as_practice(rig) -> None:
    attempt = rig.attempt()
    async with rig.app(attempt).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.screen.take_turn("您好,我是华信银行信用卡中心的客服。")
        await pilot.pause()
    assert SessionStore(rig.home).unfinished() == []
    with pytest.raises(UserError) as exc:
        make_app(resume=True, home=rig.home, catalog=rig.engine.catalog)
    assert "collector-sim exam foundation --trainee t1" in str(exc.value)   # the canonical id
    app = make_app(home=rig.home, catalog=rig.engine.catalog)     # the picker offers nothing either
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any(s.__class__.__name__ == "ResumeScreen" for s in app.screen_stack)


@aio
async def test_exam_calls_get_their_sessions_from_the_attempts_engine(rig) -> None:
    """The app never looks an exam call up in its own catalog: ``ExamRun.session`` makes it, and
    only the call the attempt expects next, with its seed."""
    attempt = rig.attempt()
    made = []

    def spy(scenario_id, seed, meta):  # type: ignore[no-untyped-def]
        session = attempt.session(scenario_id, seed, meta)
        made.append((scenario_id, seed, meta["call"], session))
        return session

    app = make_app(home=rig.home, now=lambda: rig.clock[0], catalog=rig.engine.catalog, exam=True,
                   locked_mode=True, on_start=attempt.start, record_call=attempt.record_call, new_session=spy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        first = rig.exam.spec.calls[0]
        assert [m[:3] for m in made] == [(first.scenario, first.seed, 0)]
        assert app.screen.session is made[0][3]
        second = rig.exam.spec.calls[1]
        with pytest.raises(UserError, match="the attempt expects call 1"):
            attempt.session(second.scenario, second.seed, {"call": 1})
        with pytest.raises(UserError, match="the attempt expects call 1"):
            attempt.session(first.scenario, first.seed + 1, {"call": 0})


@aio
async def test_sigterm_notes_the_call_and_leaves_the_attempt_open(rig) -> None:
    attempt = rig.attempt()
    app = rig.app(attempt)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.screen.take_turn("您好,我是华信银行信用卡中心的客服。")
        await pilot.pause()
        app.stop_for_signal(signal.SIGTERM)
        await settle(pilot)
    assert app.return_code == 128 + signal.SIGTERM and app.interrupted == "SIGTERM"
    [rec] = rig.files()
    lines = [json.loads(x) for x in rec.path.read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["kind"] == "interrupted" and lines[-1]["signal"] == "SIGTERM"
    assert not rec.finished and rig.rows()[0].note is None
    again = rig.attempt()
    assert again.reopen() and again.resumed_record is not None and again.resumed_record.replies


def test_an_unhandled_app_error_exits_non_zero(tmp_path, monkeypatch, engine) -> None:
    def broken(self) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(CaseFileScreen, "on_mount", broken)
    app = make_app("angry_card_reminder", home=tmp_path, catalog=engine.catalog, seed=1)
    app.run(headless=True, size=SIZE)
    assert app.return_code == 1


def test_session_files_keep_the_clock(tmp_path) -> None:
    store = SessionStore(tmp_path)
    log = store.new_log({"scenario": "x", "seed": 1, "mode": "exam", "attempt": 2, "time_limit": 300})
    log.append({"kind": "turn", "turn": 1, "trainee": "hi", "elapsed": 12.5})
    log.append({"kind": "clock", "elapsed": 40.0})
    log.close()
    rec = read_record(log.path)
    assert rec is not None and rec.elapsed == 40.0 and rec.time_limit == 300 and rec.certification
    assert store.unfinished() == [] and [r.path for r in store.unfinished_exam_calls()] == [log.path]


def test_reopen_checks_what_begin_checks(rig, exam, engine, tmp_path, monkeypatch) -> None:
    """An open attempt is carried on only under the key, store and official definitions set it began with."""
    import shutil

    ExamRun.begin(exam, "T1", engine=engine, store=rig.store, key=rig.key)
    run = ExamRun.reopen(exam, "Ｔ1", engine=engine, store=rig.store, key=rig.key)
    assert run is not None and run.trainee == "t1" and run.definitions["set"] == "bundled"
    centre = tmp_path / "centre"
    for kind in ("exams", "scenarios", "personas"):
        shutil.copytree(Path(exam.path).parents[1] / kind if kind != "exams" else Path(exam.path).parent,
                        centre / kind)
    monkeypatch.setenv("COLLECTOR_SIM_OFFICIAL", str(centre))
    same_files = CallEngine(official_only=True)
    centre_exam = ExamCatalog.discover().get("foundation")
    with pytest.raises(UserError, match="began with the bundled definitions set and the official set now is "
                                        "the centre one"):
        ExamRun.reopen(centre_exam, "t1", engine=same_files, store=rig.store, key=rig.key)
    monkeypatch.delenv("COLLECTOR_SIM_OFFICIAL")
    with pytest.raises(UserError, match="another signing key"):
        ExamRun.reopen(exam, "t1", engine=engine, store=rig.store, key=SigningKey(b"another-key-of-somebody-else!!"))
