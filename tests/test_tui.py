"""The trainee's app, driven with real key presses through Textual's Pilot (``app.run_test()``).

Each test builds the app with ``make_app`` exactly as ``collector-sim play`` does, with a temporary
``home`` (session files, exports) and a fixed call clock, and asserts on what the screens show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_calls import BAD, GOOD
from tui_support import FIXED_CLOCK, aio, say, screen_text, type_text

from simulator.scenario import Catalog
from simulator.session import Session
from simulator.tui import make_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.casefile import CaseFileScreen
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.modals import ConfirmQuitScreen, HelpScreen, ResumeScreen
from simulator.tui.screens.picker import PickerScreen
from simulator.tui.store import SessionStore, read_record
from simulator.tui.widgets import Gauge, Prose, ScoreBar, Transcript

SIZE = (80, 24)
GOOD_CALL = next(r for s, label, r in GOOD if (s, label) == ("hardship_card_job_loss", "textbook"))
BAD_CALL = next(b for b in BAD if (b[0], b[1]) == ("hardship_card_job_loss", "false_legal"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def app_for(tmp_path: Path, catalog: Catalog, *args, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("seed", 7)
    return make_app(*args, home=tmp_path, now=FIXED_CLOCK, catalog=catalog, **kwargs)


def bubbles(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """What the transcript holds: (side, words) of every utterance, notes left out."""
    return [(m.side, m.text) for m in app.screen.query_one(Transcript).messages if m.side != "note"]


def last_trainee(app):  # type: ignore[no-untyped-def]
    return [m for m in app.screen.query_one(Transcript).messages if m.side == "trainee"][-1]


def engine_lines(catalog: Catalog, sid: str, seed: int, replies: list[str]) -> list[str]:
    s = Session.replay(catalog.get(sid), seed, replies)
    return [t.debtor for t in s.turns if t.debtor]


async def open_call(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    """From the picker: filter, open the case file, start the call."""
    await type_text(pilot, query)
    assert isinstance(pilot.app.screen, PickerScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CaseFileScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CallScreen)


@aio
async def test_good_call_end_to_end(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog)
    expected = engine_lines(catalog, "hardship_card_job_loss", 7, GOOD_CALL)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # -- picker: the table, the filter, the preview
        text = screen_text(app)
        total = len(catalog.scenarios)
        assert f"{total} / {total} 个场景" in text and "信用卡逾期45天" in text
        await type_text(pilot, "失业")
        text = screen_text(app)
        assert f"1 / {total} 个场景" in text
        assert "李娜女士 · 9800元 · 逾期30天" in text               # the case-file preview
        await pilot.press("enter")
        await pilot.pause()
        # -- case file
        assert isinstance(app.screen, CaseFileScreen)
        text = screen_text(app)
        for words in ("李娜女士", "华信银行信用卡中心", "9800元", "30天", "未起诉", "10:00 · 今日第1次", "目标", "种子"):
            assert words in text, words
        await pilot.press("enter")
        await pilot.pause()
        # -- the call
        screen = app.screen
        assert isinstance(screen, CallScreen)
        assert bubbles(app) == [("debtor", expected[0])]
        assert expected[0] in screen_text(app)
        assert app.focused is screen.query_one("#reply")
        session_file = next((tmp_path / "sessions").glob("*.jsonl"))
        for i, reply in enumerate(GOOD_CALL, start=1):
            await say(pilot, reply)
            shown = bubbles(app)
            assert shown[-2:] == [("trainee", reply), ("debtor", expected[i])], f"turn {i}"
            assert app.focused is screen.query_one("#reply"), "the reply box keeps focus"
            last = screen.session.turns[-1]
            for dim in ("politeness", "clarity", "solution"):
                assert screen.query_one(f"#score-{dim}", ScoreBar).value == last.analysis.scores[dim]
            assert not screen.query_one("#redlines", Prose).display
            assert screen.query_one("#mood-trust", Gauge).value == last.variables["trust"]
            assert f"第 {i} 轮" in screen_text(app)
            # nothing lost: the turn is on disk before the next key press
            rec = read_record(session_file)
            assert rec is not None and rec.replies == GOOD_CALL[:i]
        assert screen.done and screen.session.outcome == "promise_to_pay"
        assert "通话结束:达成还款承诺" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        # -- debrief
        assert isinstance(app.screen, DebriefScreen)
        text = screen_text(app)
        summary = screen.session.summary()
        # three separate facts: the outcome, compliance, the score (通过 no longer stands for "no red line")
        assert f"✓ 达成还款承诺 · 合规 · 总分 {summary['overall']}" in text and "通过" not in text
        assert "通话步骤 8/8" in text and "✗" not in text
        assert "礼貌 " in text and f" {summary['politeness']} " in text
        assert app.screen.query_one("#final-overall", ScoreBar).value == summary["overall"]
        assert "红线 (0)" in text
        rec = read_record(session_file)
        assert rec is not None and rec.finished and rec.end["outcome"] == "promise_to_pay"
        # -- export
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        exported = sorted((tmp_path / "exports").iterdir())
        assert [p.suffix for p in exported] == [".json", ".md"]
        data = json.loads(exported[0].read_text(encoding="utf-8"))
        assert data["scenario"] == "hardship_card_job_loss" and data["seed"] == 7
        assert data["outcome"] == "promise_to_pay" and data["summary"]["passed"] is True
        assert [t["trainee"] for t in data["turns"] if t["turn"] > 0] == GOOD_CALL
        md = exported[1].read_text(encoding="utf-8")
        assert "# 通话复盘" in md and "达成还款承诺" in md and "- [x] 复述并确认还款承诺" in md
        # -- pick another
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


@aio
async def test_bad_call_red_lines(tmp_path: Path, catalog: Catalog) -> None:
    sid, _, replies, red, outcome = BAD_CALL
    app = app_for(tmp_path, catalog)
    async with app.run_test(size=SIZE) as pilot:
        await open_call(pilot, sid)
        screen = app.screen
        await say(pilot, replies[0])
        assert not screen.query_one("#redlines", Prose).display
        await say(pilot, replies[1])
        # live feedback: the red line, its words highlighted, a lawful rewrite
        panel = screen.query_one("#redlines", Prose)
        assert panel.display and "✗ 红线 · 虚假法律后果" in panel.plain
        reds = screen.session.turns[-1].analysis.red_lines
        assert reds and all(r.rule == "false_legal" for r in reds)
        assert any(r.evidence in panel.plain for r in reds)
        assert last_trainee(app).highlights == [(r.start, r.end) for r in reds]
        assert "换个合规的说法" in screen.query_one("#coach", Prose).plain
        assert "红线 · 虚假法律后果" in screen_text(app)
        assert screen.done
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        text = screen_text(app)
        assert " · 触碰红线 · 总分 " in text and "通过" not in text
        assert "对方投诉" in text if screen.session.outcome == "complaint" else True
        assert f"红线 ({len(reds)})" in text
        assert "第2轮 · 虚假法律后果" in text
        assert "合规说法" in text
        md_lines = [p.plain for p in app.screen.query(".redline").results(Prose)]
        assert all("为什么:" in m and "合规说法:" in m for m in md_lines)
        # retry: same scenario, same seed, a fresh call
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.session.turn == 0
        assert app.screen.session.seed == 7


@aio
async def test_exam_mode_hides_hints_and_live_scores(tmp_path: Path, catalog: Catalog) -> None:
    sid, _, replies, _, _ = BAD_CALL
    app = app_for(tmp_path, catalog, sid, exam=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CaseFileScreen)
        assert "考试模式" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.exam
        assert not screen.query_one("#feedback").display
        assert "提示" not in screen_text(app).splitlines()[-1]      # no hint key in the footer
        await pilot.press("f2")
        assert not screen.query_one("#hint").display
        for reply in replies:
            await say(pilot, reply)
        assert last_trainee(app).highlights == []                    # no live red-line marks
        assert "上一句" not in screen_text(app) and "礼貌" not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert "触碰红线" in screen_text(app) and "考试模式" in screen_text(app)


@aio
async def test_hint_key_in_practice(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "hardship_card_job_loss")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        await pilot.press("f2")
        hint = screen.query_one("#hint", Prose)
        assert hint.display and "请问您是李娜女士本人吗" in hint.plain
        await say(pilot, GOOD_CALL[0])
        assert not hint.display
        await pilot.press("f2")
        assert hint.display and "9800元" in hint.plain and "逾期30天" in hint.plain
        assert app.focused is screen.query_one("#reply")


@aio
async def test_quit_asks_during_a_call_and_the_call_resumes(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "hardship_card_job_loss")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await say(pilot, GOOD_CALL[0])
        await say(pilot, GOOD_CALL[1])
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        assert "play --resume" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        assert app.focused is app.screen.query_one("#reply")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app._exit
    # the unfinished call is offered again, and replays to the same state
    store = SessionStore(tmp_path)
    [record] = store.unfinished()
    assert record.replies == GOOD_CALL[:2] and record.seed == 7
    expected = Session.replay(catalog.get("hardship_card_job_loss"), 7, GOOD_CALL[:2])
    again = make_app(resume=True, home=tmp_path, now=FIXED_CLOCK, catalog=catalog)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, CallScreen) and screen.resumed
        assert screen.session.state == expected.state
        assert screen.session.variables == expected.variables
        assert [t.debtor for t in screen.session.turns] == [t.debtor for t in expected.turns]
        notes = [m.text for m in screen.query_one(Transcript).messages if m.side == "note"]
        assert any("已恢复未完成的通话" in n for n in notes)
        assert [b for b in bubbles(again) if b[0] == "trainee"] == [("trainee", r) for r in GOOD_CALL[:2]]
        for reply in GOOD_CALL[2:]:
            await say(pilot, reply)
        assert screen.session.outcome == "promise_to_pay"
    [rec] = list(store.records())
    assert rec.finished and rec.replies == GOOD_CALL
    assert store.unfinished() == []


@aio
async def test_picker_offers_an_unfinished_call(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "hardship_card_job_loss")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await say(pilot, GOOD_CALL[0])
    picker = app_for(tmp_path, catalog)
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(picker.screen, ResumeScreen)
        assert "信用卡逾期一个月,客户刚刚失业" in screen_text(picker)
        await pilot.press("d")                       # give it up
        await pilot.pause()
        assert isinstance(picker.screen, PickerScreen)
    assert SessionStore(tmp_path).unfinished() == []


@aio
async def test_hang_up_and_help(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "angry_card_reminder")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "红线(一票否决)" in screen_text(app)
        keys = app.screen.query_one("#help-text", Prose).plain
        assert "F3" in keys and "挂断,结束通话" in keys and "play --resume" in keys
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await say(pilot, "您好,我是华信银行信用卡中心的客服专员李明,工号A0231。请问您是张伟先生本人吗?")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.session.ended_by == "trainee"
        assert "你结束了通话" in screen_text(app)


@aio
async def test_large_terminal_and_light_theme(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, theme="textual-light")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert not app.screen.has_class("-narrow")           # table and preview side by side
        await open_call(pilot, "失业")
        await say(pilot, GOOD_CALL[0])
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


@aio
async def test_exam_queue_for_certification(tmp_path: Path, catalog: Catalog) -> None:
    """Certification drives exam mode: a queue of (scenario, seed), one call after another."""
    ended = []
    app = make_app(home=tmp_path, now=FIXED_CLOCK, catalog=catalog, exam=True, locked_mode=True,
                   queue=[("hardship_card_job_loss", 3), ("lost_contact_mother", 5)], on_call_end=ended.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CaseFileScreen) and app.screen.seed == 3
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen) and app.screen.has_next
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseFileScreen) and app.screen.scenario.id == "lost_contact_mother"
    assert [s.scenario.id for s in ended] == ["hardship_card_job_loss"]


@aio
async def test_resume_a_call_that_crashed_after_its_last_turn(tmp_path: Path, catalog: Catalog) -> None:
    """Every turn was on disk but the end record was not: resuming shows the ended call and its debrief."""
    from simulator.tui.store import turn_record

    store = SessionStore(tmp_path)
    s = Session.replay(catalog.get("hardship_card_job_loss"), 7, GOOD_CALL)
    log = store.new_log({"scenario": "hardship_card_job_loss", "seed": 7, "mode": "practice"})
    for t in s.turns:
        log.append(turn_record(t))
    log.close()
    app = make_app(resume=True, home=tmp_path, now=FIXED_CLOCK, catalog=catalog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.done
        assert "通话结束:达成还款承诺" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
    [rec] = list(store.records())
    assert rec.finished and rec.end["outcome"] == "promise_to_pay"


@aio
async def test_an_exam_time_limit_ends_the_call_as_time_limit(tmp_path: Path, catalog: Catalog) -> None:
    clock = [0.0]
    ended = []
    app = make_app(home=tmp_path, now=lambda: clock[0], catalog=catalog, exam=True, locked_mode=True,
                   queue=[("hardship_card_job_loss", 3)], on_call_end=ended.append, time_limit=60)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        clock[0] = 61.0                          # a minute and a second later
        app.screen._tick()
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
    [session] = ended
    assert session.ended_by == "time_limit" and session.summary()["ended_by"] == "time_limit"
