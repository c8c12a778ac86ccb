"""SVG snapshots of the app at 80×24 (pytest-textual-snapshot; textual is pinned in pyproject).

Deterministic by construction: a fixed scenario list, seed 7, the call clock fixed at 00:00, a
temporary home (no unfinished calls to offer). Review the report before ``--snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_calls import BAD, GOOD
from tui_support import FIXED_CLOCK, say, type_text

from simulator.scenario import Catalog
from simulator.tui import make_app

SHOWN = ["angry_card_reminder", "evasive_card_next_week", "hardship_card_job_loss", "lost_contact_mother",
         "angry_consumer_loan_repeat_calls", "evasive_online_loan_already_paid",
         "hardship_card_investment_failure", "lost_contact_guarantor"]
GOOD_CALL = next(r for s, label, r in GOOD if (s, label) == ("hardship_card_job_loss", "textbook"))
BAD_CALL = next(b for b in BAD if (b[0], b[1]) == ("hardship_card_job_loss", "false_legal"))


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog.discover()
    cat.scenarios = {sid: cat.scenarios[sid] for sid in SHOWN}
    return cat


def _app(tmp_path: Path, catalog: Catalog, *args, **kwargs):  # type: ignore[no-untyped-def]
    return make_app(*args, seed=7, home=tmp_path, now=FIXED_CLOCK, catalog=catalog, **kwargs)


def test_snapshot_picker(snap_compare, tmp_path: Path, catalog: Catalog) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("down", "down")          # the hardship case in the preview
        await pilot.pause()

    assert snap_compare(_app(tmp_path, catalog), run_before=run_before, terminal_size=(80, 24))


def test_snapshot_call_in_progress(snap_compare, tmp_path: Path, catalog: Catalog) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")                  # case file → call
        await pilot.pause()
        for reply in GOOD_CALL[:3]:
            await say(pilot, reply)
        await type_text(pilot, "我们可以帮您申请分期")   # typed, not yet sent

    app = _app(tmp_path, catalog, "hardship_card_job_loss")
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_snapshot_debrief_with_red_lines(snap_compare, tmp_path: Path, catalog: Catalog) -> None:
    sid, _, replies, _, _ = BAD_CALL

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await pilot.pause()
        for reply in replies:
            await say(pilot, reply)
        await pilot.press("enter")                  # → debrief
        await pilot.pause()
        await pilot.press("pagedown")               # down to the red lines
        await pilot.pause()

    assert snap_compare(_app(tmp_path, catalog, sid), run_before=run_before, terminal_size=(80, 24))


EN_CALL = ["Hello, this is Sam at Northbridge Bank Card Services, employee ID 2031. Am I speaking with Mr. John Miller?",
           "I understand you're upset, and I'm sorry for the trouble."]


def test_snapshot_english_call(snap_compare, tmp_path: Path) -> None:
    cat = Catalog.discover()
    cat.scenarios = {sid: cat.scenarios[sid] for sid in ("angry_en_card_reminder", "hardship_en_job_loss")}

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")                  # case file → call
        await pilot.pause()
        for reply in EN_CALL:
            await say(pilot, reply)
        await pilot.press("f2")                     # the hint for where the call is
        await pilot.pause()

    app = _app(tmp_path, cat, "angry_en_card_reminder", lang="en")
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_snapshot_exam_call(snap_compare, tmp_path: Path, catalog: Catalog) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await pilot.pause()
        for reply in GOOD_CALL[:2]:
            await say(pilot, reply)

    app = _app(tmp_path, catalog, "hardship_card_job_loss", exam=True, time_limit=600)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_snapshot_debrief_opened_turn(snap_compare, tmp_path: Path, catalog: Catalog) -> None:
    sid, _, replies, _, _ = BAD_CALL

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await pilot.pause()
        for reply in replies:
            await say(pilot, reply)
        await pilot.press("enter")                  # → debrief
        await pilot.pause()
        await pilot.press("enter")                  # open turn 1
        await pilot.pause()
        screen = pilot.app.screen
        red = next(i for i, r in enumerate(screen.rows) if r.findings)
        for _ in range(red):
            await pilot.press("right")              # the turn with the red line
        await pilot.pause()

    assert snap_compare(_app(tmp_path, catalog, sid), run_before=run_before, terminal_size=(80, 24))
