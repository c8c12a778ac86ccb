"""The app in English, driven with real key presses (Textual's Pilot).

``play --lang en`` shows the picker and the help in English; everything about a call (case file,
call screen, debrief, export) speaks the scenario's language. An English call must show no Chinese
UI word anywhere, and an English call opened from the Chinese picker is English too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import FIXED_CLOCK, aio, say, screen_text, type_text

from simulator.scenario import Catalog
from simulator.tui import make_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.casefile import CaseFileScreen
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.modals import ConfirmQuitScreen, HelpScreen
from simulator.tui.screens.picker import PickerScreen
from simulator.tui.widgets import Prose
from simulator.yamlsrc import load

SIZE = (100, 30)
ROOT = Path(__file__).resolve().parent.parent
SID = "angry_en_card_reminder"
TEXTBOOK = [r if isinstance(r, str) else r["say"] for r in next(
    t for t in load(ROOT / "scenarios" / f"{SID}.tests.yaml").data["tests"] if t["name"] == "textbook")["replies"]]


def cjk(text: str) -> list[str]:
    """Chinese characters and full-width punctuation in ``text``."""
    return sorted({ch for ch in text if "\u3400" <= ch <= "\u9fff" or ch in "\uff0c\u3002\uff1a\u300c\u300d\uff08\uff09"})


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


@aio
async def test_english_call_end_to_end(tmp_path: Path, catalog: Catalog) -> None:
    app = make_app(seed=7, home=tmp_path, now=FIXED_CLOCK, catalog=catalog, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        text = screen_text(app)
        total = len(catalog.scenarios)
        assert f"{total} / {total} scenarios" in text and "Practice mode" in text and "Quit" in text
        await type_text(pilot, "snaps")
        text = screen_text(app)
        assert f"1 / {total} scenarios" in text and "Mr. John Miller · $4,280" in text
        assert cjk(text) == [], cjk(text)
        # -- help, in English
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.query_one("#help-text", Prose).plain
        assert "hang up and end the call" in help_text and cjk(screen_text(app)) == []
        await pilot.press("escape")
        await pilot.pause()
        # -- case file
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseFileScreen)
        text = screen_text(app)
        for words in ("Debtor", "Mr. John Miller", "$4,280", "45 days · M2", "none filed", "10:30 · call 1 today",
                      "Objective", "Seed", "Start call (Enter)"):
            assert words in text, words
        assert cjk(text) == [], cjk(text)
        # -- the call
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press("f2")
        assert "I understand you're frustrated" in screen.query_one("#hint", Prose).plain
        for i, reply in enumerate(TEXTBOOK, start=1):
            await say(pilot, reply)
            text = screen_text(app)
            assert f"Turn {i} · Practice mode" in text
            assert cjk(text) == [], (i, cjk(text))
        assert screen.session.outcome == "promise_to_pay"
        assert "Call ended: Promise to pay" in screen_text(app)
        footer = screen_text(app).splitlines()[-1]
        assert "Debrief" in footer and "Hang up" not in footer        # English; only keys that work now
        await pilot.press("enter")
        await pilot.pause()
        # -- debrief
        assert isinstance(app.screen, DebriefScreen)
        text = screen_text(app)
        assert "✓ Promise to pay · Compliant · Score " in text and "Steps 8/8" in text and "Red lines (0)" in text
        assert cjk(text) == [], cjk(text)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        md = next((tmp_path / "exports").glob("*.md")).read_text(encoding="utf-8")
        assert md.startswith("# Call debrief: ") and "- [x] Repeat the promise back and confirm it" in md
        assert cjk(md) == [], cjk(md)


@aio
async def test_english_call_from_the_chinese_picker(tmp_path: Path, catalog: Catalog) -> None:
    """The UI language is the picker's; a call speaks its scenario's language, footer keys included."""
    app = make_app(seed=7, home=tmp_path, now=FIXED_CLOCK, catalog=catalog)          # zh by default
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "退出" in screen_text(app).splitlines()[-1]
        await type_text(pilot, "lost her job")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseFileScreen) and "Ms. Emily Chen" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await say(pilot, "Hello, this is Maria Gomez from Northbridge Bank Card Services. Am I speaking with "
                         "Ms. Emily Chen?")
        await say(pilot, "If you don't pay, you'll go to jail.")
        screen = app.screen
        panel = screen.query_one("#redlines", Prose)
        assert panel.display and "✗ Red line · False legal consequence" in panel.plain
        assert screen.query_one("#coach", Prose).plain.startswith("» Say it lawfully: ")
        footer = screen_text(app).splitlines()[-1]
        assert "Quit" in footer and "退出" not in footer
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert " · Red line crossed · Score " in text and "Turn 2 · False legal consequence" in text
        await pilot.press("n")                                    # back to the Chinese picker
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "退出" in screen_text(app).splitlines()[-1]


@aio
async def test_quit_dialog_in_the_calls_language(tmp_path: Path, catalog: Catalog) -> None:
    app = make_app(SID, seed=7, home=tmp_path, now=FIXED_CLOCK, catalog=catalog, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await say(pilot, TEXTBOOK[0])
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        text = screen_text(app)
        assert "The call has not ended. Quit now?" in text and "Keep calling (N)" in text
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
