"""Text from YAML and from the trainee is plain text in the app (issue 12 point 6): no markup,
no action links, no control characters, whatever a scenario file or a reply says."""

from __future__ import annotations

from pathlib import Path

from tui_support import FIXED_CLOCK, aio, say, screen_text, type_text

from simulator.scenario import Catalog
from simulator.tui import make_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.casefile import CaseFileScreen
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.picker import PickerScreen

ROOT = Path(__file__).resolve().parent.parent
TITLE = '"[/oops] [@click=app.quit]点我[/] \\e]0;pwned\\a[b]粗[/b]"'


def hostile_catalog(tmp_path: Path) -> Catalog:
    text = (ROOT / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    text = text.replace("id: angry_card_reminder", "id: hostile_title")
    text = text.replace("title: 信用卡逾期45天,客户一接电话就发火", f"title: {TITLE}")
    text = text.replace("creditor: 华信银行信用卡中心", 'creditor: "[@click=app.quit]华信[/]"')
    folder = tmp_path / "data" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "hostile_title.yaml").write_text(text, encoding="utf-8")
    return Catalog.discover([tmp_path / "data"])


@aio
async def test_markup_and_escapes_in_a_title_are_shown_as_text(tmp_path: Path) -> None:
    catalog = hostile_catalog(tmp_path)
    sc = catalog.get("hostile_title")
    assert "\x1b" not in sc.spec.title and "\x07" not in sc.spec.title
    app = make_app(home=tmp_path / "home", now=FIXED_CLOCK, catalog=catalog, seed=7)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await type_text(pilot, "hostile")
        await pilot.pause()
        shown = screen_text(app)
        assert "[/oops]" in shown and "[@click=app.quit]" in shown     # in the table and the preview
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseFileScreen)
        shown = screen_text(app)
        assert "[/oops] [@click=app.quit]点我[/]" in shown and "[b]粗[/b]" in shown
        await pilot.click("#case-title", offset=(12, 0))                 # on the would-be link
        await pilot.pause()
        assert app.is_running
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        await say(pilot, "您好[/oops] [@click=app.quit]点这里[/]")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        shown = screen_text(app)
        assert "[/oops]" in shown
        assert app.is_running


@aio
async def test_the_reply_box_caps_a_paste_and_says_so(tmp_path: Path) -> None:
    from simulator.tui.screens.call import CallScreen as Call

    app = make_app("angry_card_reminder", home=tmp_path, now=FIXED_CLOCK, catalog=Catalog.discover(), seed=7)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, Call)
        box = screen.query_one("#reply")
        box.insert_text_at_cursor("好" * (Call.MAX_REPLY + 300))
        await pilot.pause()
        assert len(box.value) == Call.MAX_REPLY
        assert any("最多" in str(n.message) for n in app._notifications)
