"""The app that teaches (issue 13): per-turn coaching in the debrief and the exports, hints that
follow the call, the case file during a call, one difficulty scale and persona name, and the small
frictions a trainee noticed — each pinned by a test that fails if it comes back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_calls import BAD
from tui_support import FIXED_CLOCK, aio, say, screen_text, squash, type_text

from simulator.scenario import Catalog
from simulator.session import Session
from simulator.tui import make_app
from simulator.tui.coach import case_items, hint, stars, state_label, widen
from simulator.tui.report import coaching, export_dict, header_facts, markdown, timeline
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.casefile import CaseModal
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.modals import HelpScreen
from simulator.tui.screens.picker import PickerScreen
from simulator.tui.screens.turn import TurnScreen

SIZE = (80, 24)
INTRO = "您好,我是安盛消费金融的客服小陈,工号1029,请问是刘强先生本人吗?"
BAD_CALL = next(b for b in BAD if (b[0], b[1]) == ("hardship_card_job_loss", "false_legal"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def app_for(tmp_path: Path, catalog: Catalog, *args, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("seed", 7)
    return make_app(*args, home=tmp_path, now=FIXED_CLOCK, catalog=catalog, **kwargs)


# -- hints in context -------------------------------------------------------------------------------
def test_hint_never_redoes_a_step_already_done(catalog: Catalog) -> None:
    s = Session(catalog.get("angry_consumer_loan_repeat_calls"), 1)
    s.start()
    before = hint(s).line
    assert "工号" in before and "本人吗" in before          # nothing done yet: introduce yourself
    s.reply(INTRO)
    assert s.steps()["identified_self"] and s.steps()["verified_before_disclosing"]
    h = hint(s)
    assert "工号" not in h.line and "本人吗" not in h.line, h.line
    assert h.line                                       # the rest of the persona's line stays


def test_hint_verifies_without_introducing_again(catalog: Catalog) -> None:
    s = Session(catalog.get("hardship_card_job_loss"), 7)
    s.start()
    s.reply("您好,我是华信银行信用卡中心的客服小李,工号2031。")
    steps = s.steps()
    if steps["identified_self"] and not steps["verified_before_disclosing"]:
        h = hint(s)
        assert h.step == "verified_before_disclosing" and "工号" not in h.line and "本人吗" in h.line


# -- the debrief as data ------------------------------------------------------------------------------
def test_every_turn_has_coaching_with_a_model_line(catalog: Catalog) -> None:
    sid, _, replies, _, _ = BAD_CALL
    s = Session.replay(catalog.get(sid), 7, replies, finish=True)
    rows = coaching(s)
    assert [r.turn for r in rows] == [t.turn for t in s.turns if t.turn > 0]
    red = [r for r in rows if any(f.kind == "red_line" for f in r.findings)]
    assert red, "the false_legal call has a red-line turn"
    for r in red:
        first = next(f for f in r.findings if f.kind == "red_line")
        assert r.model_line == first.suggestion and first.name != first.id   # a name, not the rule id
    for r in rows:
        assert r.model_line, f"turn {r.turn} has no model line"
        assert "_" not in r.state                                         # descriptions, not state ids


def test_states_are_named_from_persona_descriptions(catalog: Catalog) -> None:
    p = catalog.get("angry_consumer_loan_repeat_calls").persona()
    assert state_label(p, "venting", short=True) == "发泄怒气"
    assert state_label(p, "venting") == "发泄怒气,抱怨、嚷嚷,不听解释"
    s = Session.replay(catalog.get("angry_consumer_loan_repeat_calls"), 1, [INTRO], finish=True)
    assert all("venting" not in row.transition for row in timeline(s))


def test_exports_carry_the_coaching_and_name_the_persona_kind(catalog: Catalog) -> None:
    sid, _, replies, _, _ = BAD_CALL
    s = Session.replay(catalog.get(sid), 7, replies, finish=True)
    data = export_dict(s, "practice", 30)
    coached = data["debrief"]["coaching"]
    assert len(coached) == len(replies) and all(c["model_line"] for c in coached)
    assert any(f["kind"] == "red_line" and f["suggestion"] for c in coached for f in c["findings"])
    json.dumps(data, ensure_ascii=False)
    md = markdown(s, "practice", 30)
    assert "## 逐轮指导" in md and "这时可以这样说" in md
    assert "人设 困难型" in md and "人设 hardship" not in md
    assert "合规:**触碰红线**" in md and "结论" not in md


def test_header_separates_outcome_compliance_and_score(catalog: Catalog) -> None:
    s = Session.replay(catalog.get("angry_card_reminder"), 1, [], finish=True)
    facts = header_facts(s)
    assert facts["replied"] is False and facts["outcome_label"] and facts["compliance"] == "合规"
    assert "没有作答" in markdown(s, "practice") and "合规:" not in markdown(s, "practice")


def test_quotes_are_widened_to_clause_edges() -> None:
    text = "你今天必须转2000元到我个人账户上,不然后果自负"
    start = text.index("转")
    assert widen(text, start, start + 8, "转2000元到我个") == "你今天必须转2000元到我个人账户上"
    english = "Please wire it to my personal account today"
    s = english.index("ersonal")
    assert widen(english, s, s + 4, "erso") == "personal"         # no clause edge near: whole words


# -- one scale, one name -------------------------------------------------------------------------------
def test_one_difficulty_scale_and_one_persona_name(catalog: Catalog) -> None:
    assert stars(1) == "★☆☆" and stars(3) == "★★★" and stars(5) == "★★★"
    items = {k: v for k, _, v in case_items(catalog.get("evasive_card_next_week"))}
    assert items["difficulty"] == "★☆☆" and items["persona"] == "逃避型"


# -- the app ---------------------------------------------------------------------------------------
@aio
async def test_debrief_turn_opens_to_its_coaching(tmp_path: Path, catalog: Catalog) -> None:
    sid, _, replies, _, _ = BAD_CALL
    app = app_for(tmp_path, catalog, sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        for reply in replies:
            await say(pilot, reply)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        head = screen_text(app)
        assert "触碰红线 · 总分" in head and "通过" not in head
        await pilot.press("enter")                 # opens the selected turn (the first)
        await pilot.pause()
        assert isinstance(app.screen, TurnScreen)
        assert "这时可以这样说" in squash(screen_text(app))
        red = next(r for r in app.screen.rows if any(f.kind == "red_line" for f in r.findings))
        while app.screen.rows[app.screen.index].turn != red.turn:
            await pilot.press("right")             # ← → go through the turns
            await pilot.pause()
        text = squash(screen_text(app))
        assert f"第{red.turn}轮" in text and "红线·" in text
        assert squash(red.model_line)[:12] in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)


@aio
async def test_case_file_during_the_call_and_footer_after_it(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "angry_consumer_loan_repeat_calls")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, CaseModal)
        text = squash(screen_text(app))
        assert "可用方案" in text and "还款能力" in text and "8600元" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "提示" in footer and "挂断" in footer
        await say(pilot, INTRO)
        await say(pilot, "你今天必须转2000元到我个人账户上,不然后果自负")   # he complains and hangs up
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.done
        footer = screen_text(app).splitlines()[-1]
        assert "提示" not in footer and "挂断" not in footer and "复盘" in footer


@aio
async def test_back_to_the_picker_clears_the_filter(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "刘强")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")                 # case file → call
        await pilot.pause()
        await pilot.press("f3")                    # hang up → debrief
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.query_one("#filter").value == ""
        assert len(app.screen._shown) == len(catalog.scenarios)


@aio
async def test_export_says_so_once(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "hardship_card_job_loss")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "已导出" in screen_text(app)
        assert not app._notifications, "the status line says it; no toast repeats it"


@aio
async def test_help_lists_esc_theme_and_case_keys(tmp_path: Path, catalog: Catalog) -> None:
    from simulator.tui.screens.modals import help_markup

    for lang, words in (("zh", ("Ctrl+T", "Esc", "F5", "展开")), ("en", ("Ctrl+T", "Esc", "F5", "open the selected turn"))):
        text = help_markup(lang)
        for w in words:
            assert w in text, (lang, w)


@aio
async def test_palette_speaks_chinese(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "退出" in titles and "主题" in titles and "Quit" not in titles
        assert "命令面板" in screen_text(app).splitlines()[-1]
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@aio
async def test_exam_calls_open_to_their_coaching_after_the_verdict(tmp_path: Path, catalog: Catalog) -> None:
    from simulator.tui.screens.verdict import VerdictScreen

    sid, _, replies, _, _ = BAD_CALL
    queue = [(sid, 7, {"call": 0, "calls": 1})]

    def record_call(session, elapsed, meta):  # type: ignore[no-untyped-def]
        return {"title": "基础认证", "lang": "zh", "passed": False, "attempt": 1, "attempts": 3,
                "scores": {"overall": session.summary()["overall"]}, "reasons": ["red line"], "calls": []}

    app = app_for(tmp_path, catalog, queue=queue, exam=True, locked_mode=True, record_call=record_call)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")                 # case file → call
        await pilot.pause()
        for reply in replies:
            await say(pilot, reply)
        await pilot.press("enter")                 # → this call's debrief: no coaching before the verdict
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and not debrief.coaching
        assert "展开" not in screen_text(app).splitlines()[-1]
        await pilot.press("enter")                 # → the verdict
        await pilot.pause()
        assert isinstance(app.screen, VerdictScreen)
        assert "按数字键1–1查看那一通的复盘" in squash(screen_text(app))
        await pilot.press("1")                     # the call, every turn open to its coaching
        await pilot.pause()
        review = app.screen
        assert isinstance(review, DebriefScreen) and review.coaching and review.review
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TurnScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")                # back to the verdict
        await pilot.pause()
        assert isinstance(app.screen, VerdictScreen)


@aio
async def test_exam_timer_stays_on_one_line_in_english(tmp_path: Path, catalog: Catalog) -> None:
    app = app_for(tmp_path, catalog, "angry_en_card_reminder", exam=True, time_limit=600, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("Outbound 10:30 · call 00:00/10:00" in line for line in lines), "\n".join(lines[:4])
