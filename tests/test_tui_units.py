"""The app's plain-Python parts (no terminal): line breaking, session files, hints, the debrief data,
and the ``play`` command's errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_calls import BAD, GOOD
from rich.cells import cell_len

from simulator.scenario import Catalog
from simulator.session import Session
from simulator.tui.coach import case_rows, hint, stage
from simulator.tui.report import export, markdown, red_line_details, timeline
from simulator.tui.store import SessionStore, read_record, turn_record
from simulator.tui.wrap import NO_END, NO_START, wrap

GOOD_CALL = next(r for s, label, r in GOOD if (s, label) == ("hardship_card_job_loss", "textbook"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


# -- wrap ----------------------------------------------------------------------------------------

TEXTS = [
    "您好,我是华信银行信用卡中心的客服专员王芳,工号W0321,请问是李娜女士本人吗?",
    "OK hello 您好,我是华信银行信用卡中心的客服专员「王芳」,请问是李娜女士本人吗?……好的。",
    "我上个月被公司裁员了,还在找工作,现在收入一下子没了,9800元我实在拿不出来……",
    "a very long latin word: supercalifragilisticexpialidocious and 中文混排。",
]


@pytest.mark.parametrize("width", range(6, 41))
def test_wrap_fits_keeps_text_and_obeys_kinsoku(width: int) -> None:
    for text in TEXTS:
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for prev, line in zip(lines, lines[1:]):
            assert not line or line[0] not in NO_START, lines   # no line starts with closing punctuation
            assert not prev or prev[-1] not in NO_END, lines    # none ends with an opening one


def test_wrap_breaks_between_cjk_not_before_the_chinese_run() -> None:
    # textual would move the whole Chinese run below "OK"; here the first line is filled
    assert wrap("OK 您好我是华信银行的客服", 12)[0] == "OK 您好我是"
    assert wrap("一二三四五……", 10) == ["一二三四", "五……"]
    assert wrap("一二三「四五」", 8) == ["一二三", "「四五」"]
    assert wrap("a\n\nb", 5) == ["a", "", "b"]


# -- session files -------------------------------------------------------------------------------

def test_session_file_is_written_turn_by_turn_and_resumes(tmp_path: Path, catalog: Catalog) -> None:
    store = SessionStore(tmp_path)
    sc = catalog.get("hardship_card_job_loss")
    s = Session(sc, 7)
    s.start()
    log = store.new_log({"scenario": sc.id, "seed": 7, "mode": "practice"})
    for t in s.turns:
        log.append(turn_record(t))
    for reply in GOOD_CALL[:3]:
        log.append(turn_record(s.reply(reply)))
        # flushed: another reader sees it while the file is still open
        assert read_record(log.path).replies == GOOD_CALL[: len(read_record(log.path).replies)]
    assert read_record(log.path).replies == GOOD_CALL[:3]
    # a torn last line (killed mid-write) is ignored
    with open(log.path, "a", encoding="utf-8") as fh:
        fh.write('{"kind": "turn", "turn": 4, "trainee": "半句')
    [rec] = store.unfinished()
    assert rec.seed == 7 and rec.replies == GOOD_CALL[:3] and not rec.finished
    again = Session.replay(sc, rec.seed, rec.replies)
    assert again.state == s.state and again.variables == s.variables
    assert [t["debtor"] for t in rec.turns] == [t.debtor for t in again.turns]
    store.abandon(rec)
    assert store.unfinished() == []


def test_home_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTOR_SIM_HOME", str(tmp_path / "h"))
    assert SessionStore().folder == tmp_path / "h" / "sessions"


# -- hints, case file, debrief data --------------------------------------------------------------

def test_hints_follow_the_checklist(catalog: Catalog) -> None:
    s = Session(catalog.get("hardship_card_job_loss"), 7)
    s.start()
    seen = []
    for reply in GOOD_CALL:
        h = hint(s)
        seen.append(h.step)
        assert h.line
        s.reply(reply)
    assert seen[0] == "identified_self"
    assert "stated_facts" in seen or "asked_situation" in seen
    third = Session(catalog.get("lost_contact_mother"), 1)
    third.start()
    h = hint(third)
    assert "吴涛在吗" in h.line and "欠" not in h.line          # never a debt detail to a third party


def test_red_line_hint_is_the_lawful_rewrite(catalog: Catalog) -> None:
    sid, _, replies, _, _ = next(b for b in BAD if b[1] == "false_legal")
    s = Session.replay(catalog.get(sid), 7, replies)
    if not s.ended:
        h = hint(s)
        assert h.line == s.turns[-1].analysis.red_lines[0].suggestion
    details = red_line_details(s)
    assert details and details[0].turn == 2 and details[0].rule == "false_legal"
    assert details[0].evidence in details[0].reply[details[0].start:details[0].end + 1]


def test_case_rows_and_stage(catalog: Catalog) -> None:
    rows = dict(case_rows(catalog.get("lost_contact_mother")))
    assert "母亲" in rows["接听人"] and "不得透露" in rows["接听人"]
    assert stage(3).startswith("M1") and stage(45).startswith("M2") and stage(120).startswith("M3+")


def test_export_json_and_markdown(tmp_path: Path, catalog: Catalog) -> None:
    s = Session.replay(catalog.get("hardship_card_job_loss"), 7, GOOD_CALL)
    json_path, md_path = export(s, tmp_path, "practice", 83.0, stamp="x")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert {"scenario", "persona", "seed", "turns", "outcome", "summary"} <= set(data)
    assert data["mode"] == "practice" and data["duration_seconds"] == 83.0
    md = md_path.read_text(encoding="utf-8")
    assert "通话时长:01:23" in md and "没有触碰红线" in md
    assert len(timeline(s)) == len(GOOD_CALL)
    assert markdown(s, "exam").count("| ") > 10


# -- the command ---------------------------------------------------------------------------------

def test_play_errors_are_usage_errors(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLLECTOR_SIM_HOME", str(tmp_path))
    r = cli("play", "no_such_scenario")
    assert r.returncode == 2 and r.stderr.startswith("error: unknown scenario") and "Traceback" not in r.stderr
    r = cli("play", "--resume")
    assert r.returncode == 2 and "no unfinished call to resume" in r.stderr
    r = cli("play", "hardship_card_job_loss")          # no terminal (pipes): a clear error, not a hang
    assert r.returncode == 2 and "interactive terminal" in r.stderr
    r = cli("play", "--help")
    assert r.returncode == 0 and "--exam" in r.stdout and "--resume" in r.stdout


def test_the_persona_authors_hint_is_used_when_the_debtor_state_is_in_the_way(catalog: Catalog) -> None:
    s = Session(catalog.get("angry_card_reminder"), 3)
    s.start()                                    # the debtor is venting: calm them first
    authored = s.hint()
    assert authored and hint(s).line == authored and hint(s).step is None
